package console

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// DefaultPictureDir is where the console writes pictures unless told
// otherwise: getback-pictures in the system's temporary directory.
func DefaultPictureDir() string { return filepath.Join(os.TempDir(), "getback-pictures") }

// WritePictures writes each image as a PNG file in dir (created when
// missing) and returns the files' paths, in order.
func WritePictures(dir string, imgs []bot.Image) ([]string, error) {
	if len(imgs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("picture directory: %w", err)
	}
	var paths []string
	for i, im := range imgs {
		name := filepath.Base(im.Name)
		if name == "." || name == string(filepath.Separator) || !strings.HasSuffix(strings.ToLower(name), ".png") {
			name = fmt.Sprintf("picture-%d.png", i+1)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, im.PNG, 0o644); err != nil {
			return paths, fmt.Errorf("write picture: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// pictures writes a reply's pictures to the messenger's directory and
// returns lines naming the files (or why they could not be written).
func (m *Messenger) pictures(imgs []bot.Image) string {
	if len(imgs) == 0 {
		return ""
	}
	dir := m.PictureDir
	if dir == "" {
		dir = DefaultPictureDir()
	}
	paths, err := WritePictures(dir, imgs)
	var b strings.Builder
	for i, p := range paths {
		fmt.Fprintf(&b, "🖼 %s: %s\n", imgs[i].Title, p)
	}
	if err != nil {
		fmt.Fprintf(&b, "⚠ Pictures not saved: %v\n", err)
	}
	return b.String()
}
