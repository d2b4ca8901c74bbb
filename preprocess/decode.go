package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
)

// Decode reads and decodes the image file at path; see DecodeReader.
func Decode(path string, opt Options) (*Pixels, error) {
	o, err := opt.resolved()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("preprocess: %w", err)
	case st.IsDir():
		return nil, fmt.Errorf("preprocess: %s: is a folder, not an image", path)
	case st.Mode().IsRegular():
		if err := checkFileSize(path, st.Size(), o.MaxFileBytes); err != nil {
			return nil, err
		}
	}
	return DecodeReader(f, path, opt)
}

// DecodeReader decodes a JPEG, PNG, GIF (first frame), BMP, TIFF, WebP,
// JPEG 2000 (.jp2 file or .j2k codestream) or PNM (PBM, PGM, PPM) image
// read from r into upright 8-bit pixels; name identifies the image in
// errors. JPEG, WebP, JPEG 2000 and PNM pixels equal those PIL decodes
// (libjpeg-turbo, libwebp, openjpeg) bit for bit, as do PNG's. The
// header is checked first: an image claiming more than opt.MaxPixels
// pixels is rejected without being decoded. The EXIF
// orientation of JPEG and TIFF files is applied (PIL's Image.open does not
// do this, so rotated photos differ from the reference prep.py by design).
// The result has one luma channel when opt asks for grey (Gray or
// Channels == 1) or the image is greyscale, else three RGB channels; 16-bit
// samples keep their high byte, alpha is dropped, CMYK is converted to RGB.
// Corrupt or truncated data gives an error naming the image, never a panic;
// so does a file longer than opt.MaxFileBytes, which is not read past the
// limit.
func DecodeReader(r io.Reader, name string, opt Options) (*Pixels, error) {
	o, err := opt.resolved()
	if err != nil {
		return nil, err
	}
	if o.MaxFileBytes > 0 {
		r = io.LimitReader(r, o.MaxFileBytes+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("preprocess: read %s: %w", name, err)
	}
	if err := checkFileSize(name, int64(len(data)), o.MaxFileBytes); err != nil {
		return nil, err
	}
	return decodeBytes(data, name, o)
}

// checkFileSize rejects files over the size limit (limit < 0: none).
func checkFileSize(name string, size, limit int64) error {
	if limit > 0 && size > limit {
		return fmt.Errorf("preprocess: %s: file is over the limit of %d bytes", name, limit)
	}
	return nil
}

// decodeBytes is DecodeReader on an in-memory file.
func decodeBytes(data []byte, name string, opt Options) (*Pixels, error) {
	o, err := opt.resolved()
	if err != nil {
		return nil, err
	}
	cfg, format, err := imagecodec.DecodeConfig(data)
	if err != nil {
		return nil, decodeError(name, format, data, err)
	}
	if err := checkSize(name, cfg.Width, cfg.Height, o.MaxPixels); err != nil {
		return nil, err
	}
	img, format, err := imagecodec.Decode(data, max(o.MaxPixels, 0))
	if err != nil {
		return nil, decodeError(name, format, data, err)
	}
	p := newPixels(img, exifOrientation(data), o.Gray, o.Threads)
	p.Format = format
	return p, nil
}

// checkSize rejects empty images and images over the pixel limit (limit < 0: none).
func checkSize(name string, w, h int, limit int64) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("preprocess: %s: empty image (%dx%d)", name, w, h)
	}
	if n := int64(w) * int64(h); limit > 0 && n > limit {
		return fmt.Errorf("preprocess: %s: image is %dx%d (%d pixels), over the limit of %d pixels", name, w, h, n, limit)
	}
	return nil
}

// decodeError describes a decoder failure for the image called name, whose
// file is data. A decoder hitting end of input, or a failure on a PNG, JPEG,
// GIF or JPEG 2000 file that lacks its end marker, is reported as
// truncation.
func decodeError(name, format string, data []byte, err error) error {
	switch {
	case errors.Is(err, imagecodec.ErrFormat):
		return fmt.Errorf("preprocess: %s: unknown image format (want JPEG, PNG, GIF, BMP, TIFF, WebP, JPEG 2000 or PNM)", name)
	case errors.Is(err, imagecodec.ErrTruncated) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || missingEnd(format, data):
		return fmt.Errorf("preprocess: %s: truncated %s file: %w", name, format, err)
	}
	return fmt.Errorf("preprocess: %s: corrupt %s data: %w", name, format, err)
}

// missingEnd reports whether a PNG, JPEG, GIF or JPEG 2000 file lacks the
// marker its format ends with (IEND chunk, EOI marker, trailer byte, EOC
// marker, which ends a JP2 file's codestream box too).
func missingEnd(format string, data []byte) bool {
	switch format {
	case "png":
		return !bytes.HasSuffix(data, []byte("IEND\xaeB`\x82"))
	case "jpeg":
		return !bytes.HasSuffix(bytes.TrimRight(data, "\x00\r\n"), []byte{0xFF, 0xD9})
	case "gif":
		return !bytes.HasSuffix(data, []byte{0x3B})
	case "jpeg2000":
		return !bytes.HasSuffix(data, []byte{0xFF, 0xD9})
	}
	return false
}
