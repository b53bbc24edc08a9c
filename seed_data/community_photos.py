"""Demo photos for a few residents' proposals, drawn here with Pillow (no image is copied from anywhere): simple
scenes of what a proposal is about — a trampled lawn, a bench in a sunny square, stairs with no handrail, a
playground, an unlit path at night, a notice board — each in a residential block's setting, with a small "DEMO" tag
so nobody takes them for real photos. Deterministic for a given rng; the loader stores them through the same
re-encoding as an upload (db.community.photos.reencode_all)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

SIZE = (640, 480)  # drawn at this size, kept at half of it
HORIZON = 270


def _sky(draw: ImageDraw.ImageDraw, rng: random.Random, night: bool) -> None:
    top, bottom = ((18, 24, 52), (52, 60, 96)) if night else ((120, 170, 225), (205, 225, 240))
    for y in range(HORIZON):
        share = y / HORIZON
        draw.line([(0, y), (SIZE[0], y)], fill=tuple(int(a + (b - a) * share) for a, b in zip(top, bottom)))
    if night:
        draw.ellipse([520, 40, 560, 80], fill=(235, 232, 200))


def _blocks(draw: ImageDraw.ImageDraw, rng: random.Random, night: bool) -> None:
    """Residential blocks along the horizon, windows lit at night."""
    x = rng.randint(-40, 0)
    while x < SIZE[0]:
        width, height = rng.randint(90, 150), rng.randint(120, 220)
        shade = rng.randint(150, 205)
        body = (shade - 90, shade - 90, shade - 70) if night else (shade, shade - 10, shade - 25)
        draw.rectangle([x, HORIZON - height, x + width, HORIZON], fill=body)
        for wy in range(HORIZON - height + 12, HORIZON - 14, 22):
            for wx in range(x + 10, x + width - 14, 20):
                lit = night and rng.random() < 0.45
                draw.rectangle([wx, wy, wx + 9, wy + 12],
                               fill=(250, 220, 130) if lit else ((40, 45, 70) if night else (120, 150, 180)))
        x += width + rng.randint(6, 30)


def _ground(draw: ImageDraw.ImageDraw, colour: tuple) -> None:
    draw.rectangle([0, HORIZON, SIZE[0], SIZE[1]], fill=colour)


def _lawn(draw, rng) -> None:
    _ground(draw, (92, 150, 70))
    cx, cy = rng.randint(200, 440), rng.randint(340, 420)
    draw.ellipse([cx - 150, cy - 45, cx + 150, cy + 45], fill=(130, 100, 65))  # trampled to mud
    for _ in range(6):  # litter
        x, y = rng.randint(cx - 130, cx + 130), rng.randint(cy - 30, cy + 30)
        draw.rectangle([x, y, x + rng.randint(8, 18), y + rng.randint(5, 10)],
                       fill=rng.choice(((230, 230, 230), (200, 60, 50), (60, 110, 200))))
    draw.line([(0, 300), (SIZE[0], 300)], fill=(160, 160, 160), width=8)  # the path beside it


def _square(draw, rng) -> None:
    _ground(draw, (196, 188, 172))
    for x in range(0, SIZE[0], 40):
        draw.line([(x, HORIZON), (x - 120, SIZE[1])], fill=(180, 172, 156), width=2)
    bx, by = rng.randint(120, 380), rng.randint(350, 400)
    draw.rectangle([bx, by, bx + 160, by + 12], fill=(140, 95, 55))  # a bench, one leg broken
    draw.rectangle([bx + 6, by + 12, bx + 14, by + 44], fill=(90, 90, 90))
    draw.polygon([(bx + 140, by + 12), (bx + 150, by + 12), (bx + 170, by + 40)], fill=(90, 90, 90))
    draw.ellipse([40, 30, 110, 100], fill=(255, 220, 90))  # and the sun, no shade anywhere


def _stairs(draw, rng) -> None:
    _ground(draw, (170, 170, 170))
    steps, left = rng.randint(6, 9), rng.randint(140, 220)
    for index in range(steps):
        y = SIZE[1] - 30 - index * 26
        draw.rectangle([left + index * 8, y, left + 300 - index * 8, y + 26], fill=(200 - index * 6,) * 3,
                       outline=(120, 120, 120))
    draw.line([(left - 10, SIZE[1] - 30), (left - 10, SIZE[1] - 30 - steps * 26)], fill=(120, 120, 120), width=3)
    draw.line([(left - 30, SIZE[1] - 90), (left - 10, SIZE[1] - 110)], fill=(200, 40, 40), width=6)  # no handrail


def _playground(draw, rng) -> None:
    _ground(draw, (205, 90, 70))  # rubber surface, worn
    x = rng.randint(120, 320)
    draw.line([(x, 420), (x, 300)], fill=(60, 60, 60), width=6)
    draw.rectangle([x - 10, 290, x + 40, 300], fill=(60, 60, 60))
    draw.polygon([(x + 40, 292), (x + 50, 292), (x + 190, 430), (x + 170, 430)], fill=(250, 200, 40))
    for _ in range(5):  # holes in the surface
        hx, hy = rng.randint(40, 600), rng.randint(320, 460)
        draw.ellipse([hx, hy, hx + rng.randint(20, 50), hy + rng.randint(10, 20)], fill=(120, 110, 100))


def _night_path(draw, rng) -> None:
    _ground(draw, (40, 44, 50))
    draw.polygon([(250, HORIZON), (390, HORIZON), (560, SIZE[1]), (80, SIZE[1])], fill=(70, 72, 78))
    for x in (150, 480):
        draw.line([(x, 440), (x, 260)], fill=(110, 110, 120), width=5)
        draw.rectangle([x - 18, 250, x + 18, 262], fill=(90, 90, 95))  # the lamps, dark
    draw.ellipse([300, 400, 330, 415], fill=(30, 30, 34))  # a pothole in the dark


def _notice_board(draw, rng) -> None:
    _ground(draw, (185, 180, 170))
    x, y = rng.randint(140, 260), 300
    draw.rectangle([x, y, x + 240, y + 130], fill=(60, 100, 70), outline=(40, 40, 40), width=4)
    for _ in range(7):
        px, py = rng.randint(x + 10, x + 200), rng.randint(y + 10, y + 100)
        draw.rectangle([px, py, px + 34, py + 24], fill=(245, 245, 235), outline=(160, 160, 150))
    draw.line([(x + 30, y + 130), (x + 30, y + 170)], fill=(40, 40, 40), width=5)
    draw.line([(x + 210, y + 130), (x + 210, y + 170)], fill=(40, 40, 40), width=5)


SCENES = {"environment": _lawn, "public_space": _square, "elderly": _stairs, "children": _playground,
          "culture_sports": _square, "mutual_aid": _notice_board, "safety": _night_path, "other": _notice_board}


def photo(theme: str, rng: random.Random) -> bytes:
    """One JPEG of a scene for `theme`, as a resident's phone would send it (before the app re-encodes it)."""
    night = theme == "safety"
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _sky(draw, rng, night)
    _blocks(draw, rng, night)
    SCENES.get(theme, _notice_board)(draw, rng)
    # small: the board shows 160 px thumbnails, and each photo costs the demo's build its re-encoding
    image = image.reduce(2)
    draw = ImageDraw.Draw(image)
    width, height = image.size
    draw.rectangle([width - 40, height - 18, width - 4, height - 4], fill=(255, 255, 255))
    draw.text((width - 36, height - 16), "DEMO", fill=(200, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def photos_for(theme: str, rng: random.Random) -> list[bytes]:
    """One to three photos of a proposal's scene, from slightly different views."""
    return [photo(theme, rng) for _ in range(rng.choice((1, 1, 2, 3)))]
