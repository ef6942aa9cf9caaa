#!/usr/bin/env python3
# Draws the game's icon (Tools/install/icon-*.png) from the same shapes as icon.svg: a teal
# tile, a low sun, three towers and a band of trees. Rectangles and circles only, 4x4
# supersampled; written with zlib. Run: python3 Tools/install/make-icon.py
import struct, zlib, os
HERE = os.path.dirname(os.path.abspath(__file__))
# (kind, colour, geometry) on a 256 x 256 canvas, painted in order.
SHAPES = [
    ("roundrect", (31, 111, 92), (8, 8, 240, 240, 40)),
    ("circle", (242, 194, 48), (176, 84, 40)),
    ("rect", (242, 232, 207), (52, 104, 40, 104)),
    ("rect", (242, 232, 207), (100, 72, 44, 136)),
    ("rect", (210, 222, 230), (152, 128, 36, 80)),
    ("rect", (23, 74, 61), (8, 196, 240, 12)),
    ("circle", (109, 190, 90), (60, 204, 22)),
    ("circle", (109, 190, 90), (100, 208, 20)),
    ("circle", (109, 190, 90), (140, 204, 22)),
    ("circle", (109, 190, 90), (182, 208, 20)),
]

def inside(kind, g, x, y):
    if kind == "rect":
        return g[0] <= x < g[0] + g[2] and g[1] <= y < g[1] + g[3]
    if kind == "circle":
        return (x - g[0]) ** 2 + (y - g[1]) ** 2 <= g[2] ** 2
    gx, gy, w, h, r = g
    if not (gx <= x < gx + w and gy <= y < gy + h):
        return False
    cx = min(max(x, gx + r), gx + w - r)
    cy = min(max(y, gy + r), gy + h - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def render(size):
    rows = []
    k = 4
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(k):
                for sx in range(k):
                    x = (px + (sx + 0.5) / k) * 256 / size
                    y = (py + (sy + 0.5) / k) * 256 / size
                    colour = None
                    for kind, c, g in SHAPES:
                        if inside(kind, g, x, y):
                            colour = c
                    if colour:
                        acc[0] += colour[0]; acc[1] += colour[1]; acc[2] += colour[2]; acc[3] += 255
            n = k * k
            a = acc[3] // n
            row += bytes([acc[0] * 255 // max(1, acc[3]), acc[1] * 255 // max(1, acc[3]), acc[2] * 255 // max(1, acc[3]), a]) if a else bytes(4)
        rows.append(bytes(row))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    return png

for size in (64, 128, 256):
    with open(os.path.join(HERE, f"icon-{size}.png"), "wb") as f:
        f.write(render(size))
