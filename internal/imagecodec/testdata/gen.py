#!/usr/bin/python3
"""Regenerates internal/imagecodec/testdata: small JPEG, WebP, PNM and
JPEG 2000 files and manifest.tsv, the SHA-256 of the pixels PIL decodes
from each.

The Go tests compare the package's decoders with these hashes, so they
check against PIL (libjpeg-turbo, libwebp, openjpeg) without needing it.
Needs Debian's python3-pil and python3-numpy, and the reference encoders
cjpeg (libjpeg-turbo-progs), cwebp (webp) and opj_compress
(openjpeg-tools). Run from anywhere:

    /usr/bin/python3 internal/imagecodec/testdata/gen.py [--raw DIR]

--raw DIR also writes PIL's pixels as DIR/NAME.raw, which the Go tests
read (IMAGECODEC_RAW=DIR) to report the size of any difference.

manifest.tsv columns: file, PIL mode, width, height, sha256 of the pixels
in that mode (Image.tobytes()), of convert("RGB") and of convert("L").
"""
import hashlib, io, os, random, struct, subprocess, sys, tempfile
import numpy as np
from PIL import Image, features

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '..', '..', '..', '..', 'shared')
rng = random.Random(20261207)


def photo(w, h, seed):
    """A w x h RGB test picture: smooth colour gradients, sharp edges,
    saturated blobs and noise, which exercise every chroma path."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    a = np.zeros((h, w, 3), np.float32)
    a[..., 0] = 255 * x / max(w - 1, 1)
    a[..., 1] = 255 * y / max(h - 1, 1)
    a[..., 2] = 128 + 127 * np.sin((x + 2 * y) / 3.0 + seed)
    for _ in range(3):  # saturated discs and bars
        cx, cy, rad = r.uniform(0, w), r.uniform(0, h), r.uniform(1, max(2, max(w, h) / 2))
        col = r.choice([0, 255], 3)
        a[(x - cx) ** 2 + (y - cy) ** 2 < rad ** 2] = col
    a[:, int(r.integers(0, w)) :: max(w // 3, 1)] = r.choice([0, 255], 3)
    a += r.normal(0, 12, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), 'RGB')


def crop(w, h, seed):
    """A w x h crop of a real photo (shared/images), or a test picture when it is absent."""
    names = ['chelsea.png', 'coffee.png', 'astronaut.png']
    p = os.path.join(SHARED, 'images', names[seed % 3])
    if not os.path.exists(p):
        return photo(w, h, seed)
    im = Image.open(p).convert('RGB')
    r = random.Random(seed)
    x, y = r.randrange(im.width - w), r.randrange(im.height - h)
    return im.crop((x, y, x + w, y + h))


def cjpeg(im, args):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, 'in.ppm')
        im.save(src)
        return subprocess.run(['cjpeg'] + args + [src], check=True, capture_output=True).stdout


def pil_jpeg(im, **kw):
    b = io.BytesIO()
    im.save(b, 'JPEG', **kw)
    return b.getvalue()


def set_adobe_transform(data, t):
    """Rewrites the Adobe APP14 segment's colour transform byte."""
    i = data.index(b'\xff\xee')
    assert data[i + 4:i + 9] == b'Adobe'
    return data[:i + 15] + bytes([t]) + data[i + 16:]


def strip_adobe(data):
    """Removes the Adobe APP14 segment."""
    i = data.index(b'\xff\xee')
    n = int.from_bytes(data[i + 2:i + 4], 'big')
    return data[:i] + data[i + 2 + n:]


def jpegs():
    """Yields (name, bytes) for every JPEG case."""
    sizes = [(1, 1), (2, 2), (3, 5), (7, 13), (13, 7), (8, 8), (16, 16), (17, 9),
             (33, 17), (31, 33), (4, 40), (40, 4), (64, 48), (65, 47)]
    sub = {0: '444', 1: '422', 2: '420'}
    qs = [75, 90, 30, 95, 50, 100, 10]
    n = 0
    for w, h in sizes:
        for s in (0, 1, 2):
            n += 1
            q, prog = qs[n % len(qs)], n % 3 == 0
            im = photo(w, h, n) if n % 2 else crop(w, h, n)
            yield f'pil_{w}x{h}_{sub[s]}_q{q}{"_prog" if prog else ""}.jpg', pil_jpeg(im, quality=q, subsampling=s, progressive=prog)
    for q in (1, 2, 5, 15, 25, 40, 60, 80, 92, 97, 100):
        for prog in (False, True):
            im = crop(48, 40, q)
            yield f'pil_q{q}{"_prog" if prog else ""}.jpg', pil_jpeg(im, quality=q, subsampling=2, progressive=prog)
    # Sampling factors PIL cannot write: 4:4:0, 4:1:1, 4:1:0, and chroma
    # sampled more finely than luma.
    for samp, tag in [('1x2,1x1,1x1', '440'), ('4x1,1x1,1x1', '411'), ('4x2,1x1,1x1', '410'),
                      ('2x1,1x2,1x1', 'mixed'), ('1x1,2x2,1x1', 'finechroma'), ('2x2,1x1,2x1', 'odd')]:
        for w, h in [(1, 1), (5, 3), (17, 31), (33, 18), (64, 40)]:
            yield f'cjpeg_{tag}_{w}x{h}.jpg', cjpeg(photo(w, h, w * h), ['-quality', '85', '-sample', samp])
            yield f'cjpeg_{tag}_{w}x{h}_prog.jpg', cjpeg(photo(w, h, w + h), ['-quality', '85', '-sample', samp, '-progressive'])
    # Restart intervals, baseline and progressive, in rows and in blocks.
    for r in ('1', '2', '1B', '3B', '7B'):
        for prog in ([], ['-progressive']):
            for samp in ('2x2,1x1,1x1', '2x1,1x1,1x1', '1x1,1x1,1x1'):
                yield f'cjpeg_rst{r}_{samp[:3]}{"_prog" if prog else ""}.jpg', cjpeg(crop(37, 29, len(r)), ['-restart', r, '-sample', samp, '-quality', '80'] + prog)
    # Greyscale, RGB (Adobe transform 0), optimized Huffman tables.
    for w, h in [(1, 1), (9, 9), (31, 17), (64, 64)]:
        yield f'cjpeg_gray_{w}x{h}.jpg', cjpeg(photo(w, h, 5), ['-grayscale', '-quality', '70'])
        yield f'cjpeg_gray_{w}x{h}_prog.jpg', cjpeg(photo(w, h, 6), ['-grayscale', '-progressive', '-quality', '90'])
        yield f'cjpeg_rgb_{w}x{h}.jpg', cjpeg(photo(w, h, 7), ['-rgb', '-quality', '90'])
        yield f'cjpeg_opt_{w}x{h}.jpg', cjpeg(crop(w, h, 8), ['-optimize', '-quality', '60'])
        yield f'pil_gray_{w}x{h}.jpg', pil_jpeg(photo(w, h, 9).convert('L'), quality=85)
    # Custom progressive scripts: spectral selection only, and deep
    # successive approximation with non-interleaved DC scans.
    scripts = {
        'spectral': '0,1,2: 0-0, 0, 0;\n0: 1-9, 0, 0;\n0: 10-63, 0, 0;\n1: 1-63, 0, 0;\n2: 1-5, 0, 0;\n2: 6-63, 0, 0;\n',
        'approx': '0: 0-0, 0, 3;\n1: 0-0, 0, 2;\n2: 0-0, 0, 1;\n0: 1-63, 0, 4;\n1: 1-63, 0, 3;\n2: 1-63, 0, 2;\n'
                  '0: 0-0, 3, 2;\n0: 0-0, 2, 1;\n0: 0-0, 1, 0;\n1: 0-0, 2, 1;\n1: 0-0, 1, 0;\n2: 0-0, 1, 0;\n'
                  '0: 1-63, 4, 3;\n0: 1-63, 3, 2;\n0: 1-63, 2, 1;\n0: 1-63, 1, 0;\n'
                  '1: 1-20, 3, 2;\n1: 21-63, 3, 2;\n1: 1-63, 2, 1;\n1: 1-63, 1, 0;\n2: 1-63, 2, 1;\n2: 1-63, 1, 0;\n',
    }
    with tempfile.TemporaryDirectory() as d:
        for name, text in scripts.items():
            path = os.path.join(d, name)
            with open(path, 'w') as f:
                f.write(text)
            for w, h in [(23, 19), (64, 48)]:
                yield f'cjpeg_scans_{name}_{w}x{h}.jpg', cjpeg(crop(w, h, w), ['-scans', path, '-quality', '92'])
                yield f'cjpeg_scans_{name}_{w}x{h}_rst.jpg', cjpeg(crop(w, h, h), ['-scans', path, '-quality', '92', '-restart', '2B'])
    # CMYK (Adobe, PIL inverts it) and the same file relabelled as YCCK.
    for w, h in [(7, 5), (32, 24)]:
        c = pil_jpeg(photo(w, h, 11).convert('CMYK'), quality=90)
        yield f'pil_cmyk_{w}x{h}.jpg', c
        yield f'pil_ycck_{w}x{h}.jpg', set_adobe_transform(c, 2)
        yield f'pil_cmyk_noadobe_{w}x{h}.jpg', strip_adobe(c)


def cwebp(im, args):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, 'in.png'), os.path.join(d, 'out.webp')
        im.save(src)
        subprocess.run(['cwebp', '-quiet'] + args + [src, '-o', dst], check=True)
        with open(dst, 'rb') as f:
            return f.read()


def pil_webp(im, **kw):
    b = io.BytesIO()
    im.save(b, 'WEBP', **kw)
    return b.getvalue()


def with_alpha(im, seed):
    """im with an alpha channel of gradients and holes (some fully transparent)."""
    r = np.random.default_rng(seed)
    a = np.fromfunction(lambda y, x: (x * 7 + y * 3) % 256, (im.height, im.width)).astype(np.uint8)
    a[r.random(a.shape) < 0.1] = 0
    out = im.convert('RGBA')
    out.putalpha(Image.fromarray(a, 'L'))
    return out


def webps():
    """Yields (name, bytes) for every WebP case."""
    sizes = [(1, 1), (2, 3), (7, 13), (16, 16), (17, 9), (33, 17), (31, 34), (64, 48)]
    for i, (w, h) in enumerate(sizes):
        for q in (5, 50, 90, 100):
            im = photo(w, h, i * 10 + q) if q % 2 else crop(w, h, i + q)
            yield f'pil_{w}x{h}_q{q}.webp', pil_webp(im, quality=q)
        yield f'pil_{w}x{h}_lossless.webp', pil_webp(photo(w, h, i), lossless=True)
        yield f'pil_{w}x{h}_alpha.webp', pil_webp(with_alpha(crop(w, h, i), i), quality=80)
        yield f'pil_{w}x{h}_alpha_lossless.webp', pil_webp(with_alpha(photo(w, h, i), i), lossless=True)
    # Encoder settings that change the bitstream: filters, segments,
    # partitions, sharp YUV, alpha filters and compression.
    opts = [['-q', '75', '-f', '0'], ['-q', '75', '-f', '100', '-sharpness', '7'], ['-q', '60', '-strong'],
            ['-q', '60', '-nostrong'], ['-q', '80', '-segments', '1'], ['-q', '80', '-sns', '100'],
            ['-q', '70', '-partition_limit', '100'], ['-q', '90', '-sharp_yuv'], ['-q', '30', '-m', '0'],
            ['-q', '85', '-m', '6', '-pass', '4'], ['-z', '9'], ['-near_lossless', '40'],
            ['-q', '80', '-alpha_filter', 'none'], ['-q', '80', '-alpha_filter', 'best', '-alpha_method', '1'],
            ['-q', '80', '-alpha_q', '50', '-alpha_method', '0'], ['-q', '80', '-exact', '-alpha_filter', 'fast']]
    for i, o in enumerate(opts):
        w, h = [(45, 37), (64, 64), (23, 50), (100, 30)][i % 4]
        im = with_alpha(crop(w, h, i), i) if '-alpha' in ' '.join(o) or '-exact' in o else crop(w, h, i)
        yield f'cwebp_{i:02d}_{"_".join(x.strip("-") for x in o)}.webp', cwebp(im, o)


def pnms():
    """Yields (name, bytes) for every PBM, PGM and PPM case: PIL's raw
    files, and plain files, odd maxvals, comments and out-of-range raw
    samples written by hand."""
    for w, h in [(1, 1), (13, 7), (8, 3), (17, 9)]:
        im = photo(w, h, w)
        for mode, ext in [('RGB', 'ppm'), ('L', 'pgm'), ('1', 'pbm')]:
            b = io.BytesIO()
            im.convert(mode).save(b, 'PPM')
            yield f'pil_{w}x{h}.{ext}', b.getvalue()
    r = np.random.default_rng(7)

    def plain(magic, w, h, maxval, vals, sep=b' '):
        head = b'%s\n# a comment\n%d %d\n' % (magic, w, h) + (b'%d\n' % maxval if maxval else b'')
        return head + sep.join(b'%d' % v for v in vals) + b'\n'

    bits = r.integers(0, 2, 11 * 5)
    yield 'plain_11x5.pbm', plain(b'P1', 11, 5, None, bits)
    yield 'plain_packed_11x5.pbm', b'P1 11 5\n' + b''.join(b'%d' % v for v in bits) + b'\n'
    yield 'plain_7x3_max15.pgm', plain(b'P2', 7, 3, 15, r.integers(0, 16, 21), b'\n')
    yield 'plain_5x4_max1000.ppm', plain(b'P3', 5, 4, 1000, r.integers(0, 1001, 60))
    yield 'plain_4x4_max255.ppm', plain(b'P3', 4, 4, 255, r.integers(0, 256, 48), b' # note\n')
    for maxval in (1, 3, 100, 254):  # raw bytes, some over maxval (PIL saturates them)
        yield f'raw_9x5_max{maxval}.pgm', b'P5 9 5 %d\n' % maxval + bytes(r.integers(0, min(256, maxval * 2 + 2), 45, dtype=np.uint8))
        yield f'raw_6x5_max{maxval}.ppm', b'P6\n#c\n6 5\n%d\n' % maxval + bytes(r.integers(0, min(256, maxval * 2 + 2), 90, dtype=np.uint8))
    for maxval in (256, 4095, 65535):
        yield f'raw_6x5_max{maxval}.ppm', b'P6 6 5 %d\n' % maxval + r.integers(0, maxval + 1, 90).astype('>u2').tobytes()
        yield f'raw_6x5_max{maxval}.pgm', b'P5 6 5 %d\n' % maxval + r.integers(0, maxval + 1, 30).astype('>u2').tobytes()
    yield 'plain_3x2_max4095.pgm', plain(b'P2', 3, 2, 4095, r.integers(0, 4096, 6))


def opj(data, ext, args, out='j2k'):
    """Runs opj_compress on an input file (bytes, extension ext) and
    returns the codestream (out 'j2k') or JP2 file (out 'jp2')."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, 'in.' + ext), os.path.join(d, 'out.' + out)
        with open(src, 'wb') as f:
            f.write(data)
        subprocess.run(['opj_compress', '-i', src, '-o', dst] + args, check=True, capture_output=True)
        with open(dst, 'rb') as f:
            return f.read()


def pnm_bytes(im):
    b = io.BytesIO()
    im.save(b, 'PPM')
    return b.getvalue()


def opj_im(im, args, out='j2k'):
    """opj_compress on a PIL image (L or RGB; RGBA and LA as raw planes)."""
    if im.mode in ('L', 'RGB'):
        return opj(pnm_bytes(im), 'pgm' if im.mode == 'L' else 'ppm', args, out)
    planes = np.asarray(im).transpose(2, 0, 1).copy()
    n = planes.shape[0]
    fmt = f'{im.width},{im.height},{n},8,u@' + ':'.join(['1x1'] * n)
    return opj(planes.tobytes(), 'raw', args + ['-F', fmt], out)


def opj_raw(a, prec, signed, args, out='j2k'):
    """opj_compress on raw samples a (components, height, width) of prec bits."""
    n, h, w = a.shape
    dt = ('>i2' if signed else '>u2') if prec > 8 else ('i1' if signed else 'u1')
    fmt = f'{w},{h},{n},{prec},{"s" if signed else "u"}@' + ':'.join(['1x1'] * n)
    return opj(a.astype(dt).tobytes(), 'raw', args + ['-F', fmt], out)


def pil_j2k(im, **kw):
    b = io.BytesIO()
    im.save(b, 'JPEG2000', **kw)
    return b.getvalue()


def levels(w, h, n=6):
    """The most resolutions opj_compress allows for a w x h image, at most n."""
    return str(max(1, min(n, min(w, h).bit_length())))


def jp2s():
    """Yields (name, bytes) for every JPEG 2000 case: JP2 files and raw
    codestreams from opj_compress and PIL over sizes, both wavelets,
    progression orders, layers, tiles, precincts, code-block sizes and
    styles, markers, bit depths and component counts."""
    sizes = [(1, 1), (2, 3), (7, 13), (13, 7), (33, 17), (64, 48)]
    for i, (w, h) in enumerate(sizes):
        for mode in ('L', 'RGB'):
            im = (photo(w, h, i) if i % 2 else crop(w, h, i)).convert(mode)
            m = mode.lower()
            n = ['-n', levels(w, h)]
            out = 'jp2' if i % 2 else 'j2k'
            yield f'opj_{w}x{h}_{m}_53.{out}', opj_im(im, n, out)
            yield f'opj_{w}x{h}_{m}_97.{out}', opj_im(im, n + ['-I'], out)
            if w * h > 100:
                yield f'opj_{w}x{h}_{m}_97_r20.{out}', opj_im(im, n + ['-I', '-r', '20'], out)
    # Coding options on one RGB picture, reversible and irreversible.
    im = crop(48, 40, 3)
    opts = {
        'lrcp': ['-p', 'LRCP', '-r', '40,10,1', '-c', '[32,32],[16,16]', '-n', '4'],
        'rlcp': ['-p', 'RLCP', '-r', '40,10,1', '-c', '[32,32],[16,16]', '-n', '4'],
        'rpcl': ['-p', 'RPCL', '-r', '40,10,1', '-c', '[32,32],[16,16]', '-n', '4'],
        'pcrl': ['-p', 'PCRL', '-r', '40,10,1', '-c', '[32,32],[16,16]', '-n', '4'],
        'cprl': ['-p', 'CPRL', '-r', '40,10,1', '-c', '[32,32],[16,16]', '-n', '4'],
        'layers': ['-r', '100,50,25,12,6,3,1'],
        'psnr': ['-q', '25,32,40'],
        'cb4x4': ['-b', '4,4'],
        'cb16x64': ['-b', '16,64', '-n', '3'],
        'cb64x16': ['-b', '64,16', '-n', '2'],
        'prec8': ['-c', '[8,8]', '-b', '4,4', '-n', '3'],
        'prec_mixed': ['-c', '[64,32],[32,16],[8,8]', '-n', '4'],
        'tiles16': ['-t', '16,16', '-n', '3'],
        'tiles_odd': ['-t', '17,13', '-n', '2'],
        'tiles_offset': ['-t', '20,16', '-T', '5,3', '-d', '7,5', '-n', '3'],
        'offset': ['-d', '3,1', '-n', '4'],
        'bypass': ['-M', '1'],
        'reset': ['-M', '2'],
        'termall': ['-M', '4'],
        'causal': ['-M', '8'],
        'erterm': ['-M', '16'],
        'segmark': ['-M', '32'],
        'allmodes': ['-M', '63', '-r', '30,8,1'],
        'bypass_term': ['-M', '5', '-r', '20,5,1'],
        'sop_eph': ['-SOP', '-EPH', '-r', '20,4,1'],
        'plt_tlm': ['-PLT', '-TLM', '-t', '24,24', '-n', '3'],
        'tp_r': ['-TP', 'R', '-t', '24,20', '-n', '3'],
        'tp_l': ['-TP', 'L', '-r', '20,4,1'],
        'tp_c': ['-TP', 'C'],
        'poc': ['-POC', 'T1=0,0,1,3,3,CPRL/T1=0,0,3,6,3,RPCL', '-r', '30,10,1'],
        'roi': ['-ROI', 'c=0,U=4'],
        'guard1': ['-GuardBits', '1'],
        'comment': ['-C', 'a comment'],
        'nomct': ['-mct', '0'],
        'n1': ['-n', '1'],
        'n6_cb64': ['-n', '6', '-b', '64,64'],
    }
    for i, (tag, args) in enumerate(opts.items()):
        out = 'jp2' if i % 2 else 'j2k'
        yield f'opj_opt_{tag}_53.{out}', opj_im(im, args, out)
        if tag not in ('layers', 'psnr', 'poc'):  # opj_compress writes a broken POC file with one layer
            args = args + ['-r', '12']
        yield f'opj_opt_{tag}_97.{out}', opj_im(im, args + ['-I'], out)
    # Greyscale with options, and a larger lossy picture.
    g = crop(40, 33, 5).convert('L')
    for tag, args in [('rpcl_tiles', ['-p', 'RPCL', '-t', '16,16', '-n', '3', '-c', '[8,8]']),
                      ('bypass_layers', ['-M', '1', '-r', '20,5,1']), ('causal_reset', ['-M', '10', '-I', '-r', '8'])]:
        yield f'opj_grey_{tag}.j2k', opj_im(g, args)
    big = crop(200, 150, 7)
    yield 'opj_200x150_97_r60.jp2', opj_im(big, ['-I', '-r', '60'], 'jp2')
    # Alpha: RGBA and grey + alpha.
    rgba = with_alpha(crop(23, 19, 2), 2)
    yield 'opj_23x19_rgba_53.jp2', opj_im(rgba, ['-n', '4'], 'jp2')
    yield 'opj_23x19_rgba_97.j2k', opj_im(rgba, ['-n', '4', '-I'])
    la = rgba.convert('LA')
    yield 'opj_23x19_la_53.jp2', opj_im(la, ['-n', '3'], 'jp2')
    # Other bit depths: PIL shifts them to 8 bits (16 for 10-16-bit grey).
    r = np.random.default_rng(9)
    for prec in (2, 4, 12, 16):
        a = r.integers(0, 1 << prec, (1, 11, 9))
        yield f'opj_grey_{prec}bit.j2k', opj_raw(a, prec, False, ['-n', '2'])
    a = r.integers(0, 1 << 12, (3, 10, 12))
    yield 'opj_rgb_12bit_53.jp2', opj_raw(a, 12, False, ['-n', '3'], 'jp2')
    yield 'opj_rgb_12bit_97.j2k', opj_raw(a, 12, False, ['-n', '3', '-I'])
    yield 'opj_grey_12bit_97.j2k', opj_raw(a[:1], 12, False, ['-n', '3', '-I'])
    nine = (a[0] >> 3).astype('>u2')
    nine[0, :4] = 511  # PIL's rounding to 8 bits wraps these to 0
    yield 'opj_grey_9bit.j2k', opj(b'P5\n12 10\n511\n' + nine.tobytes(), 'pgm', ['-n', '3'])
    for prec in (8, 12):
        s = r.integers(-(1 << (prec - 1)), 1 << (prec - 1), (1, 9, 14))
        yield f'opj_grey_{prec}bit_signed.j2k', opj_raw(s, prec, True, ['-n', '2'])
    yield 'opj_rgb_4bit_signed.j2k', opj_raw(r.integers(-8, 8, (3, 7, 6)), 4, True, ['-n', '2'])
    # COC, QCC and tile-part COD and QCD segments.
    yield 'opj_params_53.j2k', spread_params(opj_im(im, ['-t', '24,20', '-n', '3', '-TP', 'R']))
    yield 'opj_params_97.j2k', spread_params(opj_im(im, ['-t', '24,20', '-n', '3', '-I', '-r', '10']))
    # Packet headers in PPM and PPT marker segments, which openjpeg does
    # not write: moved there from files with SOP and EPH markers.
    for where in ('ppm', 'ppt'):
        sop = ['-SOP', '-EPH', '-r', '30,8,1', '-t', '24,24', '-n', '3', '-TP', 'L']
        yield f'opj_{where}_53.j2k', move_headers(opj_im(im, sop), where)
        yield f'opj_{where}_97.j2k', move_headers(opj_im(im, sop + ['-I']), where)
    # Files PIL writes.
    p = crop(37, 29, 4)
    yield 'pil_37x29_default.jp2', pil_j2k(p)
    yield 'pil_37x29_irreversible.jp2', pil_j2k(p, irreversible=True, quality_mode='rates', quality_layers=[30, 10])
    yield 'pil_37x29_db.j2k', pil_j2k(p, quality_mode='dB', quality_layers=[30, 38], no_jp2=True)
    yield 'pil_37x29_tiles_rpcl.jp2', pil_j2k(p, tile_size=(16, 16), progression='RPCL', num_resolutions=3, precinct_size=(8, 8))
    yield 'pil_37x29_grey_offset.j2k', pil_j2k(p.convert('L'), offset=(3, 2), tile_offset=(1, 1), tile_size=(15, 15), num_resolutions=2, no_jp2=True)


def move_headers(cs, where):
    """Rewrites a codestream written with -SOP -EPH so that its packet
    headers live in PPM (where 'ppm', main header) or PPT (where 'ppt',
    tile-part headers) marker segments, without SOP and EPH markers.
    The markers delimit the packets: headers are bit-stuffed and packet
    data never holds 0xFF followed by more than 0x8F."""
    seg = lambda m, payload: struct.pack('>HH', m, len(payload) + 2) + payload
    i = cs.index(b'\xff\x90')  # first SOT
    main, rest = bytearray(cs[:i]), cs[i:]
    cod = main.index(b'\xff\x52')
    main[cod + 4] &= ~6  # Scod: no SOP, no EPH
    parts, ppm, zppt = [], b'', {}
    while rest[:2] == b'\xff\x90':
        psot = struct.unpack('>I', rest[6:10])[0]
        part, rest = rest[:psot], rest[psot:]
        sod = part.index(b'\xff\x93') + 2
        heads, bodies = b'', b''
        for p in part[sod:].split(b'\xff\x91')[1:]:
            e = p.index(b'\xff\x92')
            heads, bodies = heads + p[4:e], bodies + p[e + 2:]
        hdr = part[12:sod - 2]
        if where == 'ppt':  # Zppt counts a tile's PPT segments
            tile = struct.unpack('>H', part[4:6])[0]
            zppt[tile] = zppt.get(tile, -1) + 1
            hdr += seg(0xFF61, bytes([zppt[tile]]) + heads)
        else:
            ppm += struct.pack('>I', len(heads)) + heads
        parts.append((part[:12], hdr, bodies))
    if where == 'ppm':
        main += seg(0xFF60, b'\x00' + ppm)
    out = bytes(main)
    for sot, hdr, body in parts:
        n = len(sot) + len(hdr) + 2 + len(body)
        out += sot[:6] + struct.pack('>I', n) + sot[10:] + hdr + b'\xff\x93' + body
    return out + rest


def spread_params(cs):
    """Rewrites a codestream of three or more components so that its
    coding parameters come from COD and QCD segments in each tile's first
    tile-part header, while the main header's COD, QCD, COC (component 1)
    and QCC (component 2) hold other code-block and step sizes: a decoder
    ranking them as T.800 A.6 says (tile COD over main COC over main COD,
    tile QCD over main QCC) decodes the pixels PIL does."""
    i = cs.index(b'\xff\x90')
    main, rest = cs[:i], cs[i:]

    def segment(m):
        j = main.index(m)
        return j, main[j:j + 2 + struct.unpack('>H', main[j + 2:j + 4])[0]]
    (jc, cod), (jq, qcd) = segment(b'\xff\x52'), segment(b'\xff\x5c')
    cb = lambda seg, w, h: seg[:10] + bytes([w, h]) + seg[12:]  # code-block size exponents - 2
    bad_qcd = qcd[:5] + bytes(b ^ 0x18 for b in qcd[5:])  # other exponents
    coc = b'\xff\x53' + struct.pack('>H', len(cod) - 5) + b'\x01' + bytes([cod[4] & 1]) + cb(cod, 2, 0)[9:]
    qcc = b'\xff\x5d' + struct.pack('>H', len(qcd) - 1) + b'\x02' + bad_qcd[4:]
    out = main[:jc] + cb(cod, 1, 1) + main[jc + len(cod):jq] + bad_qcd + main[jq + len(qcd):] + coc + qcc
    while rest[:2] == b'\xff\x90':
        psot = struct.unpack('>I', rest[6:10])[0]
        part, rest = rest[:psot], rest[psot:]
        if part[10] == 0:  # TPsot: the tile's first tile-part
            part = part[:6] + struct.pack('>I', psot + len(cod) + len(qcd)) + part[10:12] + cod + qcd + part[12:]
        out += part
    return out + rest


def sub_plane(w, h, k):
    """Component k's samples in the subsampled test files, w x h: the Go
    test (TestJPEG2000Subsampled) computes the same formula."""
    return ((np.arange(w * h) * (k + 1) * 7 + k * 50) % 256).astype(np.uint8).reshape(h, w)


def jp2_subsampled():
    """Yields (name, bytes) for lossless codestreams with subsampled
    components. PIL 9.4 scrambles such images (its unpacker misreads the
    subsampled planes), so these are checked against their known samples,
    not against PIL: name_WxH_dx1xdy1_dx2xdy2[...].j2k."""
    for w, h, subs, args in [(16, 12, [(1, 1), (2, 2), (2, 2)], ['-n', '2']),
                             (24, 18, [(1, 1), (2, 1), (2, 1)], ['-n', '2', '-t', '8,6']),
                             (20, 14, [(1, 1), (2, 2), (2, 2)], ['-n', '3', '-t', '12,10']),
                             (18, 12, [(1, 1), (3, 2), (3, 2)], ['-n', '3', '-p', 'RPCL'])]:
        planes = [sub_plane(-(-w // dx), -(-h // dy), k) for k, (dx, dy) in enumerate(subs)]
        fmt = f'{w},{h},3,8,u@' + ':'.join(f'{dx}x{dy}' for dx, dy in subs)
        tag = '_'.join(f'{dx}x{dy}' for dx, dy in subs)
        yield f'opj_{w}x{h}_{tag}.j2k', opj(b''.join(p.tobytes() for p in planes), 'raw', args + ['-mct', '0', '-F', fmt])


def write(name, data, raw_dir, rows):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)
    im = Image.open(io.BytesIO(data))
    im.load()
    native = im.tobytes()
    h = lambda b: hashlib.sha256(b).hexdigest()
    rows.append('\t'.join([name, im.mode, str(im.width), str(im.height), h(native),
                           h(im.convert('RGB').tobytes()), h(im.convert('L').tobytes())]))
    if raw_dir:
        os.makedirs(os.path.dirname(os.path.join(raw_dir, name)), exist_ok=True)
        with open(os.path.join(raw_dir, name + '.raw'), 'wb') as f:
            f.write(native)


def main():
    raw_dir = sys.argv[sys.argv.index('--raw') + 1] if '--raw' in sys.argv else None
    if raw_dir:
        os.makedirs(raw_dir, exist_ok=True)
    for sub in ('jpeg', 'webp', 'pnm', 'jp2', 'jp2sub'):
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
        for f in os.listdir(os.path.join(HERE, sub)):
            os.remove(os.path.join(HERE, sub, f))
    rows = [f'# PIL {Image.__version__}, libjpeg-turbo {features.version("libjpeg_turbo")}, libwebp {features.version("webp")}, openjpeg {features.version("jpg_2000")}']
    for name, data in jpegs():
        write('jpeg/' + name, data, raw_dir, rows)
    for name, data in webps():
        write('webp/' + name, data, raw_dir, rows)
    for name, data in pnms():
        write('pnm/' + name, data, raw_dir, rows)
    for name, data in jp2s():
        write('jp2/' + name, data, raw_dir, rows)
    for name, data in jp2_subsampled():
        with open(os.path.join(HERE, 'jp2sub', name), 'wb') as f:
            f.write(data)
    with open(os.path.join(HERE, 'manifest.tsv'), 'w') as f:
        f.write('\n'.join(rows) + '\n')


main()
