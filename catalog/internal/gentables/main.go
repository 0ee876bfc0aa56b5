//go:build ignore

// Writes catalog/tables_gen.go from catalog/data; run from the catalog
// directory by `go generate ./catalog`.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/seccomp-workbench/seccomp-workbench/catalog/internal/gentables"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run writes the new file beside the old one and renames it over, so an
// interrupted run leaves the old file whole.
func run() error {
	src, err := gentables.Generate(os.DirFS("data"))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(".", ".tables_gen-*.go")
	if err != nil {
		return fmt.Errorf("gentables: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(src); err != nil {
		tmp.Close()
		return fmt.Errorf("gentables: %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("gentables: %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("gentables: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Clean(gentables.Output))
}
