#!/usr/bin/env python3
"""Test images for ImageCodec and their independently decoded pixels.

Regenerate (from this directory):   python3 make_images.py
Needs numpy and Pillow. Deterministic (fixed seeds); rewrites every file below.

Writes
  *.png, *.jpg            tiny test images of every supported kind, plus the bad inputs
  decode_reference.json   per image: size, channels and the pixels Pillow decodes, after the
                          conversion ImageCodec documents (base64 of [H, W, C] uint8 bytes)
  resize_reference.json   area-average resizes computed with numpy by pixel replication
                          (every source pixel repeated w×h times, then exact block means)
  color_reference.json    Pillow's convert("L") of an RGB image, and (p/255 - mean)/std in
                          float64 → float32, channel-planar [C, H, W]

PNGs of kinds Pillow cannot write (1/2/4/16-bit, colour-key tRNS, Adam7 interlacing) come
from the small PNG writer below (every row uses a different filter type); their reference
pixels still come from Pillow decoding the written file, and the script asserts that Pillow
agrees with the samples it meant to write.

ImageCodec's documented conversion, applied here to what Pillow decodes:
  16-bit sample → v >> 8;  1/2/4-bit gray → v * 255 / (2^bits - 1);  palette → RGB;
  alpha (RGBA, LA, tRNS) → composited on white: (c*a + 255*(255-a) + 127) // 255, then dropped.
"""
import base64
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240607)


# ----------------------------------------------------------------------------- PNG writer
def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def _pack_row(samples, bit_depth):
    """One row of samples (flat, ints) → bytes at bit_depth (MSB first; 16-bit big-endian)."""
    if bit_depth == 8:
        return bytes(int(v) for v in samples)
    if bit_depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in samples)
    per_byte = 8 // bit_depth
    out = bytearray()
    for i in range(0, len(samples), per_byte):
        byte = 0
        group = list(samples[i:i + per_byte]) + [0] * (per_byte - len(samples[i:i + per_byte]))
        for v in group:
            byte = (byte << bit_depth) | int(v)
        out.append(byte)
    return bytes(out)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_rows(rows, bpp, first_filter):
    """Filter each packed row with types cycling 0..4 (starting at first_filter)."""
    out = bytearray()
    prev = bytes(len(rows[0])) if rows else b""
    for r, row in enumerate(rows):
        kind = (first_filter + r) % 5
        line = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]
            line.append((x - pred) & 0xFF)
        out.append(kind)
        out += line
        prev = row
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(name, samples, bit_depth, color_type, palette=None, trns=None, interlace=False):
    """samples: [H, W, C] ints (C = 1 gray/palette index, 2 GA, 3 RGB, 4 RGBA)."""
    h, w, ch = samples.shape
    bits_per_pixel = bit_depth * ch
    bpp = max(1, bits_per_pixel // 8)
    if interlace:
        data = b""
        for p, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            rows = [_pack_row(sub[y].reshape(-1), bit_depth) for y in range(sub.shape[0])]
            data += _filter_rows(rows, bpp, p)
    else:
        rows = [_pack_row(samples[y].reshape(-1), bit_depth) for y in range(h)]
        data = _filter_rows(rows, bpp, 0)
    png = b"\x89PNG\r\n\x1a\n"
    png += _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        png += _chunk(b"PLTE", bytes(int(v) for v in np.asarray(palette).reshape(-1)))
    if trns is not None:
        png += _chunk(b"tRNS", trns)
    png += _chunk(b"IDAT", zlib.compress(data, 9))
    png += _chunk(b"IEND", b"")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(png)


# ------------------------------------------------------------------- reference conversion
def composite_on_white(color, alpha):
    c = color.astype(np.int64)
    a = alpha.astype(np.int64)[..., None]
    return ((c * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def pillow_reference(name):
    """Decode with Pillow and apply ImageCodec's documented conversion → [H, W, C] uint8.
    Gray PNGs (colour types 0 and 4) decode to one channel; Pillow opens 16-bit gray+alpha
    as RGBA with R = G = B, which is folded back to gray here."""
    out = _pillow_converted(name)
    data = open(os.path.join(HERE, name), "rb").read(32)
    if data.startswith(b"\x89PNG") and data[25] in (0, 4) and out.shape[2] == 3:
        assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 0], out[..., 2])
        out = out[..., :1]
    return out


def _pillow_converted(name):
    im = Image.open(os.path.join(HERE, name))
    im.load()
    mode = im.mode
    key = im.info.get("transparency")
    if mode == "1":
        return (np.array(im, dtype=np.uint8) * 255)[..., None]
    if mode == "L":
        a = np.array(im)
        out = a[..., None].astype(np.uint8)
        if key is not None:  # colour-key transparency: matching pixels become white
            out[a == key] = 255
        return out
    if mode in ("I;16", "I;16B", "I"):
        a = np.array(im).astype(np.int64)
        out = (a >> 8).astype(np.uint8)[..., None]
        if key is not None:
            out[a == key] = 255
        return out
    if mode == "LA":
        a = np.array(im)
        return composite_on_white(a[..., :1], a[..., 1])
    if mode == "RGB":
        a = np.array(im)
        out = a.copy()
        if key is not None:  # colour-key transparency: matching pixels become white
            out[np.all(a == np.array(key), axis=-1)] = 255
        return out
    if mode == "RGBA":
        a = np.array(im)
        return composite_on_white(a[..., :3], a[..., 3])
    if mode == "P":
        if key is not None:
            a = np.array(im.convert("RGBA"))
            return composite_on_white(a[..., :3], a[..., 3])
        return np.array(im.convert("RGB"))
    raise ValueError(f"{name}: unexpected Pillow mode {mode}")


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode()


def test_pattern(h, w, channels, levels=256):
    """Smooth gradients plus noise plus a few hard edges, values in 0..levels-1."""
    y, x = np.mgrid[0:h, 0:w]
    planes = []
    for c in range(channels):
        base = (x * (c + 1) * 37 + y * (3 - c % 3) * 23) % levels
        noise = rng.integers(0, levels, size=(h, w))
        plane = np.where((x + y + c) % 5 == 0, noise, base)
        plane[h // 3, :] = levels - 1
        plane[:, w // 2] = 0
        planes.append(plane)
    return np.stack(planes, axis=-1).astype(np.int64)


# ----------------------------------------------------------------------------------- PNGs
decode_cases = []


def png_case(name, expected_samples_fn=None, note=""):
    ref = pillow_reference(name)
    if expected_samples_fn is not None:
        mine = expected_samples_fn()
        assert mine.shape == ref.shape and np.array_equal(mine, ref), f"{name}: Pillow disagrees with the written samples"
    decode_cases.append({"file": name, "width": ref.shape[1], "height": ref.shape[0], "channels": ref.shape[2],
                         "tolerance": 0, "note": note, "pixels": b64(ref)})


W, H = 13, 11  # odd sizes: partial bytes for packed rows, partial Adam7 passes

# Pillow-written PNGs
g8 = test_pattern(H, W, 1)
Image.fromarray(g8[..., 0].astype(np.uint8), "L").save(os.path.join(HERE, "gray8.png"))
png_case("gray8.png", lambda: g8.astype(np.uint8), "8-bit gray (Pillow)")

rgb8 = test_pattern(H, W, 3)
Image.fromarray(rgb8.astype(np.uint8), "RGB").save(os.path.join(HERE, "rgb8.png"))
png_case("rgb8.png", lambda: rgb8.astype(np.uint8), "8-bit RGB (Pillow)")

rgba8 = test_pattern(H, W, 4)
rgba8[0, :, 3] = 0
rgba8[1, :, 3] = 255
Image.fromarray(rgba8.astype(np.uint8), "RGBA").save(os.path.join(HERE, "rgba8.png"))
png_case("rgba8.png", lambda: composite_on_white(rgba8[..., :3], rgba8[..., 3]), "8-bit RGBA, composited on white")

la8 = test_pattern(H, W, 2)
Image.fromarray(la8.astype(np.uint8), "LA").save(os.path.join(HERE, "gray_alpha8.png"))
png_case("gray_alpha8.png", lambda: composite_on_white(la8[..., :1], la8[..., 1]), "8-bit gray+alpha, composited")

palette = rng.integers(0, 256, size=(40, 3))
indices = test_pattern(H, W, 1, levels=40)[..., 0]
pim = Image.fromarray(indices.astype(np.uint8), "P")
pim.putpalette([int(v) for v in palette.reshape(-1)])
pim.save(os.path.join(HERE, "palette8.png"))
png_case("palette8.png", lambda: palette[indices].astype(np.uint8), "8-bit palette → RGB (Pillow)")

alphas = rng.integers(0, 256, size=40)
alphas[:3] = [0, 255, 128]
pim.save(os.path.join(HERE, "palette8_trns.png"), transparency=bytes(int(a) for a in alphas))
png_case("palette8_trns.png", lambda: composite_on_white(palette[indices], alphas[indices]),
         "8-bit palette with tRNS alpha per entry, composited")

# PNGs from our writer
bits = {}
for depth in (1, 2, 4):
    levels = 1 << depth
    s = test_pattern(H, W, 1, levels=levels)
    bits[depth] = s
    write_png(f"gray{depth}.png", s, depth, 0)
    png_case(f"gray{depth}.png", lambda s=s, levels=levels: (s * 255 // (levels - 1)).astype(np.uint8),
             f"{depth}-bit gray, scaled to 0..255")

pal4 = rng.integers(0, 256, size=(16, 3))
idx4 = test_pattern(H, W, 1, levels=16)
write_png("palette4.png", idx4, 4, 3, palette=pal4)
png_case("palette4.png", lambda: pal4[idx4[..., 0]].astype(np.uint8), "4-bit palette → RGB")

g16 = test_pattern(H, W, 1, levels=65536)
write_png("gray16.png", g16, 16, 0)
png_case("gray16.png", lambda: (g16 >> 8).astype(np.uint8), "16-bit gray → high byte")

rgb16 = test_pattern(H, W, 3, levels=65536)
write_png("rgb16.png", rgb16, 16, 2)
png_case("rgb16.png", lambda: (rgb16 >> 8).astype(np.uint8), "16-bit RGB → high byte")

rgba16 = test_pattern(H, W, 4, levels=65536)
rgba16[0, :, 3] = 0
rgba16[1, :, 3] = 65535
write_png("rgba16.png", rgba16, 16, 6)
png_case("rgba16.png", lambda: composite_on_white(rgba16[..., :3] >> 8, rgba16[..., 3] >> 8),
         "16-bit RGBA → high bytes, composited")

la16 = test_pattern(H, W, 2, levels=65536)
write_png("gray_alpha16.png", la16, 16, 4)
png_case("gray_alpha16.png", lambda: composite_on_white(la16[..., :1] >> 8, la16[..., 1] >> 8),
         "16-bit gray+alpha → high bytes, composited")

gk = test_pattern(H, W, 1)
gray_key = int(gk[2, 3, 0])
write_png("gray8_trns.png", gk, 8, 0, trns=struct.pack(">H", gray_key))
png_case("gray8_trns.png", lambda: np.where(gk == gray_key, 255, gk).astype(np.uint8),
         "8-bit gray with a colour-key tRNS: key pixels become white")

rk = test_pattern(H, W, 3)
rk[5, 2:9] = [10, 20, 30]
write_png("rgb8_trns.png", rk, 8, 2, trns=struct.pack(">HHH", 10, 20, 30))
png_case("rgb8_trns.png",
         lambda: np.where(np.all(rk == [10, 20, 30], axis=-1, keepdims=True), 255, rk).astype(np.uint8),
         "8-bit RGB with a colour-key tRNS: key pixels become white")

ri = test_pattern(H, W, 3)
write_png("interlaced_rgb8.png", ri, 8, 2, interlace=True)
png_case("interlaced_rgb8.png", lambda: ri.astype(np.uint8), "Adam7 8-bit RGB")

gi2 = test_pattern(H, W, 1, levels=4)
write_png("interlaced_gray2.png", gi2, 2, 0, interlace=True)
png_case("interlaced_gray2.png", lambda: (gi2 * 85).astype(np.uint8), "Adam7 2-bit gray")

gai16 = test_pattern(H, W, 2, levels=65536)
write_png("interlaced_gray_alpha16.png", gai16, 16, 4, interlace=True)
png_case("interlaced_gray_alpha16.png", lambda: composite_on_white(gai16[..., :1] >> 8, gai16[..., 1] >> 8),
         "Adam7 16-bit gray+alpha")

write_png("interlaced_palette8_trns.png", indices[..., None], 8, 3, palette=palette,
          trns=bytes(int(a) for a in alphas), interlace=True)
png_case("interlaced_palette8_trns.png", lambda: composite_on_white(palette[indices], alphas[indices]),
         "Adam7 8-bit palette with tRNS")

# A 1x1 image: the smallest legal PNG.
write_png("single_pixel.png", np.array([[[200, 100, 50]]]), 8, 2)
png_case("single_pixel.png", lambda: np.array([[[200, 100, 50]]], dtype=np.uint8), "1x1 RGB")

# ---------------------------------------------------------------------------------- JPEGs
JW, JH = 37, 29  # not multiples of 8/16: partial MCUs and edge upsampling
def jpeg_case(name, note):
    im = Image.open(os.path.join(HERE, name))
    im.load()
    assert im.mode in ("L", "RGB"), im.mode
    a = np.array(im)
    if a.ndim == 2:
        a = a[..., None]
    decode_cases.append({"file": name, "width": a.shape[1], "height": a.shape[0], "channels": a.shape[2],
                         "tolerance": 1, "note": note, "pixels": b64(a)})


jrgb = test_pattern(JH, JW, 3).astype(np.uint8)
jgray = test_pattern(JH, JW, 1)[..., 0].astype(np.uint8)
Image.fromarray(jrgb, "RGB").save(os.path.join(HERE, "baseline_rgb420.jpg"), quality=90)
jpeg_case("baseline_rgb420.jpg", "baseline YCbCr 4:2:0")
Image.fromarray(jrgb, "RGB").save(os.path.join(HERE, "baseline_rgb444.jpg"), quality=85, subsampling=0)
jpeg_case("baseline_rgb444.jpg", "baseline YCbCr 4:4:4")
Image.fromarray(jrgb, "RGB").save(os.path.join(HERE, "progressive_rgb.jpg"), quality=90, progressive=True)
jpeg_case("progressive_rgb.jpg", "progressive YCbCr 4:2:0")
Image.fromarray(jgray, "L").save(os.path.join(HERE, "gray.jpg"), quality=90)
jpeg_case("gray.jpg", "baseline grayscale")
Image.fromarray(jgray, "L").save(os.path.join(HERE, "progressive_gray.jpg"), quality=75, progressive=True)
jpeg_case("progressive_gray.jpg", "progressive grayscale")

# --------------------------------------------------------------------------- bad inputs
Image.fromarray(jrgb, "RGB").convert("CMYK").save(os.path.join(HERE, "cmyk.jpg"), quality=90)
assert Image.open(os.path.join(HERE, "cmyk.jpg")).mode == "CMYK"

big = test_pattern(64, 64, 3).astype(np.uint8)
buf = io.BytesIO()
Image.fromarray(big, "RGB").save(buf, "JPEG", quality=90)
whole = buf.getvalue()
with open(os.path.join(HERE, "truncated.jpg"), "wb") as f:
    f.write(whole[: len(whole) // 2])

# A JPEG under a .png name: the bytes are a JPEG.
with open(os.path.join(HERE, "jpeg_named.png"), "wb") as f:
    f.write(open(os.path.join(HERE, "gray.jpg"), "rb").read())

# Declared sizes far beyond 20k x 20k with almost no data: must be refused from the header.
write_png("oversized.png", np.zeros((1, 1, 1), dtype=np.int64), 8, 0)
data = bytearray(open(os.path.join(HERE, "oversized.png"), "rb").read())
ihdr = data.index(b"IHDR")
data[ihdr + 4: ihdr + 12] = struct.pack(">II", 30000, 30000)
crc_start = ihdr + 4 + 13
data[crc_start: crc_start + 4] = struct.pack(">I", zlib.crc32(bytes(data[ihdr: ihdr + 17])) & 0xFFFFFFFF)
with open(os.path.join(HERE, "oversized.png"), "wb") as f:
    f.write(bytes(data))

data = bytearray(open(os.path.join(HERE, "gray.jpg"), "rb").read())
sof = data.index(b"\xff\xc0")
data[sof + 5: sof + 9] = struct.pack(">HH", 65000, 65000)  # height, width
with open(os.path.join(HERE, "oversized.jpg"), "wb") as f:
    f.write(bytes(data))

# ---------------------------------------------------------------------------- references
with open(os.path.join(HERE, "decode_reference.json"), "w") as f:
    json.dump({"generator": "make_images.py", "cases": decode_cases}, f, indent=1)


def area_resize(src, w, h):
    """Exact area average by replication: every source pixel becomes a w×h block, every
    output pixel is the mean of an H×W block of that, rounded half up."""
    H_, W_, C = src.shape
    big = np.repeat(np.repeat(src.astype(np.int64), h, axis=0), w, axis=1)  # [H*h, W*w, C]
    sums = big.reshape(h, H_, w, W_, C).sum(axis=(1, 3))
    n = H_ * W_
    return ((2 * sums + n) // (2 * n)).astype(np.uint8)


resize_cases = []
for src_name in ("rgb8.png", "gray8.png"):
    src = pillow_reference(src_name)
    for (w, h) in [(5, 4), (7, 6), (13, 11), (26, 22), (31, 40), (1, 1), (4, 19), (13, 3), (40, 2)]:
        out = area_resize(src, w, h)
        resize_cases.append({"source": src_name, "width": w, "height": h, "channels": src.shape[2],
                             "pixels": b64(out)})
with open(os.path.join(HERE, "resize_reference.json"), "w") as f:
    json.dump({"generator": "make_images.py", "cases": resize_cases}, f, indent=1)

rgb_src = pillow_reference("rgb8.png")
gray = np.array(Image.fromarray(rgb_src, "RGB").convert("L"))
mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
mean32 = np.array(mean, dtype=np.float32).astype(np.float64)  # the Swift API takes Float
std32 = np.array(std, dtype=np.float32).astype(np.float64)
chw = rgb_src.transpose(2, 0, 1).astype(np.float64)
norm = ((chw / 255 - mean32[:, None, None]) / std32[:, None, None]).astype(np.float32)
gray_norm = ((gray.astype(np.float64) / 255 - 0.5) / 0.25).astype(np.float32)
with open(os.path.join(HERE, "color_reference.json"), "w") as f:
    json.dump({"generator": "make_images.py", "source": "rgb8.png",
               "grayscale": b64(gray),
               "normalized": {"mean": mean, "std": std, "values": [float(v) for v in norm.reshape(-1)]},
               "gray_normalized": {"mean": [0.5], "std": [0.25], "values": [float(v) for v in gray_norm.reshape(-1)]}},
              f)
print(f"{len(decode_cases)} decode cases, {len(resize_cases)} resize cases")
