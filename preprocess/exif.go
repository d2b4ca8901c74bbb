package preprocess

import "encoding/binary"

// exifOrientation returns the EXIF Orientation tag (1..8) of an encoded JPEG
// (from its APP1 "Exif" segment) or TIFF (from IFD0), and 1 when the file has
// none or the metadata is malformed. It reads only within data: every offset
// is bounds-checked and the scans are bounded by the data's length.
func exifOrientation(data []byte) int {
	switch {
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xD8:
		return jpegOrientation(data)
	case len(data) >= 4 && (string(data[:4]) == "II*\x00" || string(data[:4]) == "MM\x00*"):
		return tiffOrientation(data)
	}
	return 1
}

// jpegOrientation walks the JPEG marker segments before the first scan and
// reads the orientation from the first APP1 segment holding Exif data.
func jpegOrientation(d []byte) int {
	i := 2 // after SOI
	for i+4 <= len(d) {
		if d[i] != 0xFF {
			return 1
		}
		marker := d[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD8: // segments without a length
			i += 2
			continue
		case marker == 0xD9 || marker == 0xDA: // end of image, start of scan: no metadata follows
			return 1
		}
		n := int(d[i+2])<<8 | int(d[i+3])
		if n < 2 || n > len(d)-i-2 {
			return 1
		}
		seg := d[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 (Orientation, one SHORT) from IFD0 of a
// TIFF structure (a TIFF file or the payload of a JPEG Exif segment).
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	size := uint64(len(t))
	ifd := uint64(bo.Uint32(t[4:]))
	if bo.Uint16(t[2:]) != 42 || ifd+2 > size {
		return 1
	}
	n := uint64(bo.Uint16(t[ifd:]))
	for e := range n {
		off := ifd + 2 + 12*e
		if off+12 > size {
			return 1
		}
		if bo.Uint16(t[off:]) != 0x0112 {
			continue
		}
		const typeShort = 3
		if bo.Uint16(t[off+2:]) != typeShort || bo.Uint32(t[off+4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(t[off+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
