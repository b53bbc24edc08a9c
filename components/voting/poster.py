"""The poster a community prints for a campaign: its title, voting time and rules, the QR code of its
public vote page and a short "how to vote", on an A4 page (PNG, or a one-page PDF of the same picture).

The text is drawn with a CJK font (fonts-noto-cjk, or APP_CJK_FONT); without one the poster carries
only the QR code and the address, since Pillow's own font has no Chinese glyphs and would print boxes.
The QR code is drawn module by module on whole pixels, so it stays sharp when printed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import qrcode
from PIL import Image, ImageDraw, ImageFont

from db import settings

DPI = 150
WIDTH, HEIGHT = 1240, 1754  # A4 (210 × 297 mm) at 150 dpi
MARGIN = 90
BLUE, INK, GREY = "#2f6f9f", "#1f2328", "#57606a"
# fonts-noto-cjk on Debian and Ubuntu; the .ttc holds JP, KR, SC, TC and HK faces: we pick SC
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKENS = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+\s*|\s+")  # a Chinese character, or a word with its spaces


class BadPublicUrl(ValueError):
    pass


def vote_url(base: str, campaign_id: int) -> str:
    """The public vote page of a campaign under `base` (APP_PUBLIC_URL, possibly with a path prefix)."""
    parts = urlsplit(base.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise BadPublicUrl(base)
    return f"{base.strip().rstrip('/')}/vote?c={int(campaign_id)}"


@lru_cache(maxsize=4)
def font_file(weight: str = "Regular") -> tuple[str, int] | None:
    """(path, face index) of a font with Chinese glyphs: APP_CJK_FONT, else Noto Sans CJK SC; None when
    neither is there."""
    configured = settings.cjk_font()
    path = configured or NOTO_CJK.format(weight=weight)
    if not Path(path).is_file():
        return None
    for index in range(10):  # a collection: the Simplified Chinese face, else the first one
        try:
            name = ImageFont.truetype(path, 12, index=index).getname()[0]
        except OSError:
            break
        if name.endswith("CJK SC"):
            return path, index
    return path, 0


def _font(size: int, weight: str = "Regular"):
    found = font_file(weight) or font_file("Regular")
    return ImageFont.truetype(found[0], size, index=found[1]) if found else ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Greedy lines no wider than `width`: Chinese breaks between characters, other text between words
    (a word longer than a line between its letters)."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if draw.textlength(line + token, font=font) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        while draw.textlength(line, font=font) > width:  # a URL or a very long word
            cut = max((i for i in range(1, len(line)) if draw.textlength(line[:i], font=font) <= width), default=1)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class PosterText:
    band: str  # the words in the top band ("扫码投票")
    title: str  # the campaign's title: user-supplied, drawn as pixels only
    lines: tuple[str, ...]  # the voting time and the rules
    how: str  # the heading of the steps
    steps: tuple[str, ...]
    or_open: str  # the words before the address under the code
    footer: str  # the organiser


@dataclass(frozen=True)
class Poster:
    image: Image.Image
    qr_box: tuple[int, int, int, int]  # left, top, right, bottom of the code (its quiet zone included)
    modules: int  # the code's width in modules, quiet zone included
    with_text: bool  # False: no CJK font, the code and the address only


def draw(text: PosterText, url: str) -> Poster:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    with_text = font_file() is not None
    inner = WIDTH - 2 * MARGIN
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    modules = len(matrix)

    top, blocks = 0, []
    if with_text:
        pen.rectangle((0, 0, WIDTH, 170), fill=BLUE)
        pen.text((WIDTH // 2, 85), text.band, font=_font(64, "Bold"), fill="white", anchor="mm")
        top = 215
        for size in (68, 58, 50, 44):  # the largest size that keeps a long title to three lines
            title_font = _font(size, "Bold")
            title_lines = _wrap(pen, text.title, title_font, inner)
            if len(title_lines) <= 3:
                break
        if len(title_lines) > 3:  # still too long (120 characters at most): the third line ends in …
            title_lines = title_lines[:2] + [title_lines[2][:-1] + "…"]
        blocks.append((title_lines, title_font, INK, int(size * 1.3)))
        detail_font = _font(30)
        blocks.append(([line for item in text.lines for line in _wrap(pen, item, detail_font, inner)],
                       detail_font, GREY, 44))
    for lines, font, colour, leading in blocks:
        for line in lines:
            pen.text((WIDTH // 2, top), line, font=font, fill=colour, anchor="mt")
            top += leading
        top += 12

    url_font = _font(28)
    url_lines = _wrap(pen, url, url_font, inner)
    # below the code: the address, then (with text) the steps and the footer
    bottom_needed = 40 + 40 * (len(url_lines) + 1) + ((30 + 64 + 52 * len(text.steps) + 110) if with_text else 0)
    side = min(760, HEIGHT - top - 30 - bottom_needed)
    box = max(side // modules, 1)  # whole pixels per module: sharp edges in print
    side = box * modules
    left, qr_top = (WIDTH - side) // 2, top + 30
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                x, y = left + col * box, qr_top + row * box
                pen.rectangle((x, y, x + box - 1, y + box - 1), fill="black")
    top = qr_top + side + 20
    if with_text:
        pen.text((WIDTH // 2, top), text.or_open, font=_font(26), fill=GREY, anchor="mt")
        top += 40
    for line in url_lines:
        pen.text((WIDTH // 2, top), line, font=url_font, fill=INK, anchor="mt")
        top += 40
    if with_text:
        top += 30
        pen.text((MARGIN, top), text.how, font=_font(40, "Bold"), fill=BLUE)
        top += 64
        step_font = _font(32)
        for step in text.steps:
            for line in _wrap(pen, step, step_font, inner):
                pen.text((MARGIN, top), line, font=step_font, fill=INK)
                top += 52
        pen.text((WIDTH // 2, HEIGHT - 60), text.footer, font=_font(28), fill=GREY, anchor="mb")
    return Poster(image, (left, qr_top, left + side, qr_top + side), modules, with_text)


def png(text: PosterText, url: str) -> bytes:
    out = io.BytesIO()
    draw(text, url).image.save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def pdf(text: PosterText, url: str) -> bytes:
    """One A4 page: the resolution makes Pillow size the page 210 × 297 mm."""
    out = io.BytesIO()
    draw(text, url).image.save(out, "PDF", resolution=DPI, title=text.title)
    return out.getvalue()
