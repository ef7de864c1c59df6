# ruff: noqa: E501  (the SVG's attributes read better on one line)
"""The seed posters' files (home/seed_pages_content.py POSTERS): a PNG for the page and an A4 SVG for print."""

import io
import os
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

CJK_FONT_PATHS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


def _cjk_font(size):
    """A CJK font at `size`, or None on a machine without one (the poster then shows shapes only)."""
    for path in CJK_FONT_PATHS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return None


def poster_png(poster, width=900, height=1273):
    """The poster as a PNG (A-series proportions): headline and lines drawn with a CJK font when there is one."""
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    color = poster["color"]
    draw.rectangle([0, 0, width, 330], fill=color)
    draw.rectangle([40, height - 120, width - 40, height - 100], fill=color)
    big, small = _cjk_font(84), _cjk_font(46)
    if big is not None:
        draw.text((width / 2, 165), poster["headline"], font=big, fill="#ffffff", anchor="mm")
        y = 450
        for line in poster["lines"]:
            draw.text((width / 2, y), line, font=small, fill="#1a1a1a", anchor="mm")
            y += 120
        draw.text((width / 2, height - 170), "湖南省人力资源和社会保障厅", font=_cjk_font(36), fill=color, anchor="mm")
    else:
        # No CJK font on this machine: bars stand in for the lines; the alt text and the SVG carry the words.
        y = 430
        for line in poster["lines"]:
            bar = min(width - 160, 40 * len(line))
            draw.rectangle([(width - bar) / 2, y, (width + bar) / 2, y + 40], fill="#4a4a4a")
            y += 120
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def poster_svg(poster):
    """The print file: an A4 SVG with real text (prints sharp at any size, needs no font on the server)."""
    color = poster["color"]
    font = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif\""
    lines = "".join(
        f'<text x="105" y="{125 + 22 * i}" text-anchor="middle" font-size="11" fill="#1a1a1a" {font}>{escape(line)}</text>'
        for i, line in enumerate(poster["lines"])
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" '
        f'role="img" aria-label="{escape(poster["headline"])}">'
        f'<rect width="210" height="297" fill="#ffffff"/><rect width="210" height="78" fill="{color}"/>'
        f'<text x="105" y="48" text-anchor="middle" font-size="19" font-weight="700" fill="#ffffff" {font}>'
        f'{escape(poster["headline"])}</text>{lines}'
        f'<rect x="10" y="265" width="190" height="4" fill="{color}"/>'
        f'<text x="105" y="285" text-anchor="middle" font-size="9" fill="{color}" {font}>湖南省人力资源和社会保障厅</text>'
        "</svg>\n"
    ).encode()
