package imagecodec

import (
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/png"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// ErrFormat is wrapped by Decode's error for data in no known format.
var ErrFormat = image.ErrFormat

// format is one image file format Decode knows.
type format struct {
	name   string
	sniff  func([]byte) bool
	config func([]byte) (image.Config, error)
	decode func([]byte, int64) (image.Image, error)
}

// std adapts a standard-library style decoder, which reads an io.Reader.
func std(cfg func(*bytes.Reader) (image.Config, error), dec func(*bytes.Reader) (image.Image, error)) (func([]byte) (image.Config, error), func([]byte, int64) (image.Image, error)) {
	return func(b []byte) (image.Config, error) { return cfg(bytes.NewReader(b)) },
		func(b []byte, _ int64) (image.Image, error) { return dec(bytes.NewReader(b)) }
}

var formats = func() []format {
	f := []format{
		{name: "jpeg", sniff: prefix("\xff\xd8"), config: DecodeJPEGConfig, decode: DecodeJPEG},
		{name: "webp", sniff: func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" },
			config: DecodeWebPConfig, decode: DecodeWebP},
		{name: "jpeg2000", sniff: sniffJPEG2000, config: DecodeJPEG2000Config, decode: DecodeJPEG2000},
		{name: "pnm", sniff: func(b []byte) bool { return len(b) >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' && pnmSpace(b[2]) },
			config: DecodePNMConfig, decode: DecodePNM},
	}
	add := func(name string, sniff func([]byte) bool, cfg func(*bytes.Reader) (image.Config, error), dec func(*bytes.Reader) (image.Image, error)) {
		c, d := std(cfg, dec)
		f = append(f, format{name, sniff, c, d})
	}
	add("png", prefix("\x89PNG\r\n\x1a\n"),
		func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) })
	add("gif", func(b []byte) bool { return prefix("GIF87a")(b) || prefix("GIF89a")(b) },
		func(r *bytes.Reader) (image.Config, error) { return gif.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return gif.Decode(r) })
	add("bmp", prefix("BM"),
		func(r *bytes.Reader) (image.Config, error) { return bmp.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return bmp.Decode(r) })
	add("tiff", func(b []byte) bool { return prefix("II*\x00")(b) || prefix("MM\x00*")(b) },
		func(r *bytes.Reader) (image.Config, error) { return tiff.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return tiff.Decode(r) })
	return f
}()

// prefix returns a sniffer for data starting with magic.
func prefix(magic string) func([]byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(magic)) }
}

// sniff returns the format of data, or nil.
func sniff(data []byte) *format {
	for i := range formats {
		if formats[i].sniff(data) {
			return &formats[i]
		}
	}
	return nil
}

// DecodeConfig returns the size and colour model an image file's header
// declares, and its format name ("jpeg", "webp", "jpeg2000", "pnm", "png",
// "gif", "bmp" or "tiff").
func DecodeConfig(data []byte) (image.Config, string, error) {
	f := sniff(data)
	if f == nil {
		return image.Config{}, "", ErrFormat
	}
	cfg, err := guard(func() (image.Config, error) { return f.config(data) })
	return cfg, f.name, err
}

// Decode decodes an image file of any format DecodeConfig knows: JPEG,
// WebP, JPEG 2000 and PNM with this package's decoders, PNG, GIF (first
// frame), BMP and TIFF with the standard ones. The header is read first,
// and an image of more than maxPixels pixels (maxPixels > 0) is refused
// with an error wrapping ErrTooLarge before it is decoded. A panic in a
// third-party decoder is returned as an error.
func Decode(data []byte, maxPixels int64) (image.Image, string, error) {
	cfg, name, err := DecodeConfig(data)
	if err != nil {
		return nil, name, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, name, fmt.Errorf("%s: empty image (%dx%d)", name, cfg.Width, cfg.Height)
	}
	if n := int64(cfg.Width) * int64(cfg.Height); maxPixels > 0 && n > maxPixels {
		return nil, name, fmt.Errorf("%s: image is %dx%d (%d pixels): %w of %d", name, cfg.Width, cfg.Height, n, ErrTooLarge, maxPixels)
	}
	f := sniff(data)
	img, err := guard(func() (image.Image, error) { return f.decode(data, maxPixels) })
	if err != nil {
		return nil, name, err
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, name, fmt.Errorf("%s: decoded %v, header says %dx%d", name, b.Size(), cfg.Width, cfg.Height)
	}
	return img, name, nil
}

// guard runs a decoder, turning a panic into an error.
func guard[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decoder panicked: %v", r)
		}
	}()
	return f()
}
