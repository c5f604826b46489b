"""Draw icbt/static/favicon.ico (16, 32 and 48 px) from the shapes of favicon.svg, with Pillow.

Run by hand after changing the icon: `python -m tools.make_favicon`. The app only serves
the committed file (views/main.py, /favicon.ico), so Pillow is not an app dependency.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "icbt" / "static" / "favicon.ico"
ACCENT = (0x1D, 0x5F, 0x8A, 255)
WHITE = (255, 255, 255, 255)
SCALE = 8  # draw on a 256 px canvas (the SVG's 32-unit grid times 8), then shrink


def draw() -> Image.Image:
    """The icon at 256 px: rounded square, speech bubble, rising line (as favicon.svg)."""
    img = Image.new("RGBA", (32 * SCALE, 32 * SCALE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(img)

    def s(*values: float) -> list[float]:
        return [v * SCALE for v in values]

    pen.rounded_rectangle(s(0, 0, 32, 32), radius=7 * SCALE, fill=ACCENT)
    pen.rounded_rectangle(s(5, 7, 27, 22), radius=3.5 * SCALE, fill=WHITE)
    pen.polygon(s(10, 21.5, 16, 21.5, 10, 27), fill=WHITE)
    points = s(9, 18, 13.5, 13.5, 17, 16.5, 23, 10.5)
    width = round(2.4 * SCALE)
    pen.line(points, fill=ACCENT, width=width, joint="curve")
    for x, y in zip(points[::2], points[1::2], strict=True):  # round caps
        pen.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=ACCENT)
    return img


def main() -> None:
    """Write the multi-size ICO next to the SVG."""
    draw().save(OUT, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
