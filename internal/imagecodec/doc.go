// Package imagecodec decodes JPEG, WebP, JPEG 2000 and PNM images to the
// same pixels as libjpeg-turbo, libwebp and openjpeg, the libraries behind
// PIL, OpenCV and the ONNX reference implementation, bit for bit.
//
// Go's image/jpeg and golang.org/x/image/webp are correct decoders, but
// their pixels differ from libjpeg-turbo's and libwebp's by a few levels:
// they use another inverse DCT, replicate chroma samples instead of
// interpolating them, and convert YCbCr to RGB with other rounding. A model
// trained on PIL-decoded images sees slightly different inputs. This
// package reproduces the reference libraries' default decompression:
//
//   - JPEG: baseline, extended sequential and progressive Huffman-coded
//     8-bit files; greyscale, YCbCr with any integral chroma subsampling,
//     RGB, CMYK and Adobe YCCK; restart markers. Samples are reconstructed
//     with libjpeg's accurate integer inverse DCT ("islow"), chroma is
//     upsampled with libjpeg's "fancy" triangular filter where libjpeg-turbo
//     uses it, and colours are converted with libjpeg's fixed-point tables.
//     CMYK images are returned as PIL holds them (inverted Adobe CMYK).
//   - WebP: lossy VP8 frames (decoded by golang.org/x/image/vp8) are
//     converted to RGB with libwebp's fancy upsampler and its 14-bit
//     fixed-point YUV to RGB conversion; alpha (ALPH chunk) and lossless
//     VP8L images keep their exact samples.
//   - JPEG 2000 (Part 1): JP2 files and raw J2K codestreams; 1 to 4
//     components of 1 to 16 bits, signed or not, any subsampling; tiles
//     and tile-parts; all progression orders and progression order
//     changes; layers, precincts, any code-block size and style (bypass,
//     reset, termination, vertically causal, segmentation symbols); SOP,
//     EPH, PLT, TLM, PPM and PPT; ROI (max-shift); the reversible 5/3 and
//     irreversible 9/7 wavelets with their component transforms. The 9/7
//     path runs in float32 with openjpeg's constants and order of
//     operations, so lossy files match too. Samples are brought to 8 bits
//     (16 for greyscale over 9 bits) as PIL does. Part 2 extensions, HT
//     (Part 15) code-blocks, palettes and the sYCC colour space are
//     refused with an error.
//   - PNM: PBM, PGM and PPM, plain (P1-P3) and raw (P4-P6), any maxval.
//
// Every decoder reads the header first and refuses an image over the
// caller's pixel limit before allocating its pixels; corrupt or truncated
// data gives an error, never a panic. Decode also reads PNG, GIF, BMP and
// TIFF with the standard decoders: these formats are lossless, so their
// pixels do not depend on the decoder.
//
// EXIF orientation is left to callers: the pixels are returned as stored.
package imagecodec
