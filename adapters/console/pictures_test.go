package console

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

func TestWritePicturesKeepsFilesInsideTheDirectory(t *testing.T) {
	cases := []struct {
		name, want string
	}{
		{"region-9-coverage-2026-W48.png", "region-9-coverage-2026-W48.png"},
		{"../../escape.png", "escape.png"},
		{"/etc/passwd.png", "passwd.png"},
		{"", "picture-1.png"},
		{"notes.txt", "picture-1.png"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pics")
			paths, err := WritePictures(dir, []bot.Image{{Name: tc.name, PNG: []byte("png")}})
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) != 1 || paths[0] != filepath.Join(dir, tc.want) {
				t.Fatalf("wrote %v, want %s", paths, filepath.Join(dir, tc.want))
			}
			if b, err := os.ReadFile(paths[0]); err != nil || !bytes.Equal(b, []byte("png")) {
				t.Fatalf("file: %q %v", b, err)
			}
		})
	}
}

func TestPostsAndAnswersPrintWhereThePicturesWent(t *testing.T) {
	var out bytes.Buffer
	m := NewMessenger(&out, "UTC")
	m.PictureDir = t.TempDir()
	imgs := []bot.Image{{Name: "a.png", Title: "Region 9 coverage", PNG: []byte("1")}}
	if _, err := m.Post(t.Context(), bot.Target{Workspace: Workspace, Channel: "region-9"}, bot.Reply{Text: "digest", Images: imgs}); err != nil {
		t.Fatal(err)
	}
	if want := "│ 🖼 Region 9 coverage: " + filepath.Join(m.PictureDir, "a.png"); !strings.Contains(out.String(), want) {
		t.Fatalf("post lacks %q:\n%s", want, out.String())
	}
	// A directory that cannot be made is reported, and the text still
	// prints.
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o600)
	m.PictureDir = filepath.Join(blocked, "sub")
	out.Reset()
	m.Post(t.Context(), bot.Target{Workspace: Workspace, Channel: "region-9"}, bot.Reply{Text: "digest", Images: imgs})
	if !strings.Contains(out.String(), "digest") || !strings.Contains(out.String(), "⚠ Pictures not saved: picture directory") {
		t.Fatalf("unwritable directory:\n%s", out.String())
	}
}
