"""Draws the Passport desk application icon with Pillow (no binary sources to keep).

    .venv/bin/python resources/icons/make_icon.py

writes, next to this file:
  passport-desk.png        256 x 256, the icon used by the .desktop entry and the window
  passport-desk-48.png      48 x 48, for small launchers (hicolor/48x48)
  passport-desk.ico        16, 24, 32, 48, 64, 128 and 256 px, for the Windows build

The glyph: a navy passport booklet, seen from the front, with a gold globe emblem and a
pale machine-readable-zone band of two "<<<" lines at the bottom. Drawn at 4x and scaled
down, so the edges are smooth at every size. The output is deterministic.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SCALE = 4
SIZE = 256

NAVY = (23, 49, 94, 255)
NAVY_EDGE = (12, 29, 60, 255)
SPINE = (15, 36, 72, 255)
GOLD = (226, 183, 80, 255)
BAND = (236, 241, 248, 255)
INK = (40, 58, 90, 255)


def draw(size: int = SIZE) -> Image.Image:
    s = size * SCALE

    def px(v: float) -> int:
        return round(v * s / 256)

    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # Soft shadow, then the booklet cover with its spine on the left.
    d.rounded_rectangle((px(46), px(20), px(222), px(246)), radius=px(20), fill=(0, 0, 0, 60))
    d.rounded_rectangle((px(38), px(12), px(214), px(238)), radius=px(20), fill=NAVY, outline=NAVY_EDGE, width=px(3))
    d.rounded_rectangle((px(38), px(12), px(62), px(238)), radius=px(20), fill=SPINE)
    d.rectangle((px(50), px(14), px(62), px(236)), fill=SPINE)
    # Globe emblem: a circle with a meridian ellipse and two parallels.
    cx, cy, r = px(138), px(92), px(44)
    w = px(6)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=GOLD, width=w)
    d.ellipse((cx - r // 2, cy - r, cx + r // 2, cy + r), outline=GOLD, width=w)
    d.line((cx, cy - r, cx, cy + r), fill=GOLD, width=w)
    d.line((cx - r, cy, cx + r, cy), fill=GOLD, width=w)
    for dy in (-r * 0.5, r * 0.5):
        half = (r**2 - dy**2) ** 0.5
        d.line((cx - half, cy + dy, cx + half, cy + dy), fill=GOLD, width=w)
    # "PASSPORT" bar under the emblem.
    d.rounded_rectangle((px(96), px(150), px(180), px(160)), radius=px(5), fill=GOLD)
    # The machine readable zone: a pale band with two lines of chevrons and blocks.
    d.rounded_rectangle((px(72), px(180), px(204), px(226)), radius=px(8), fill=BAND)
    for row, y in enumerate((px(193), px(213))):
        x = px(80)
        pattern = "PP<<<<AA<<" if row == 0 else "0AA<<<<<11"
        for ch in pattern:
            if ch == "<":
                d.line((x + px(7), y - px(5), x + px(1), y, x + px(7), y + px(5)), fill=INK, width=px(2.5), joint="curve")
            else:
                d.rectangle((x + px(1), y - px(5), x + px(8), y + px(5)), fill=INK)
            x += px(12)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    big = draw(SIZE)
    big.save(HERE / "passport-desk.png", optimize=True)
    draw(48).save(HERE / "passport-desk-48.png", optimize=True)
    sizes = [16, 24, 32, 48, 64, 128, 256]
    # Each size drawn on its own (not scaled from 256), so small sizes stay crisp.
    frames = {n: draw(n) for n in sizes}
    frames[256].save(HERE / "passport-desk.ico", format="ICO", sizes=[(n, n) for n in sizes],
                     append_images=[frames[n] for n in sizes if n != 256])
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("passport-desk*"))))


if __name__ == "__main__":
    main()
