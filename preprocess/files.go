package preprocess

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// imageExts are the file name extensions of the formats Decode reads.
var imageExts = []string{".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp",
	".jp2", ".j2k", ".pnm", ".pbm", ".pgm", ".ppm"}

// IsImageName reports whether a file name has the extension of a format
// Decode reads (case-insensitive).
func IsImageName(name string) bool {
	return slices.Contains(imageExts, strings.ToLower(filepath.Ext(name)))
}

// ImageExtensions lists those extensions, space-separated, for messages.
func ImageExtensions() string { return strings.Join(imageExts, " ") }

// ImageFiles returns the paths of the files in folder dir whose names
// IsImageName accepts, sorted by name; sub-folders are not searched. An
// empty list is not an error.
func ImageFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && IsImageName(e.Name()) {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(paths)
	return paths, nil
}
