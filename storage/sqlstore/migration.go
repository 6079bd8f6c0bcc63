package sqlstore

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered SQL file of a store's schema.
type Migration struct {
	// Version is the number the file's name starts with.
	Version int
	// Name is the file's path in its file system.
	Name string
}

// Migrations lists the migration/*.sql files of fsys by version; each
// name must start with its number ("0003_outbox.sql").
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migration/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, n := range names {
		base := path.Base(n)
		prefix, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		out = append(out, Migration{v, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// SchemaVersion returns the newest version among the migrations of fsys,
// or 0.
func SchemaVersion(fsys fs.FS) int {
	ms, _ := Migrations(fsys)
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}
