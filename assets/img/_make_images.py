#!/usr/bin/env python3
"""Generate the sample artwork for the Blockline News example site.

Creates twelve abstract 1200x675 JPEG featured images (one per article that
declares an ``image:`` in its front matter), a neutral ``default-card.jpg``
placeholder, the ``logo.svg`` wordmark and the ``../favicon.svg`` icon.

The output is deterministic: running the script twice produces the same
pictures. Requires Pillow (``pip install pillow``).

Usage::

    python3 assets/img/_make_images.py
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent

W, H = 1200, 675
SS = 2  # supersampling factor for smooth edges
MAX_BYTES = 120 * 1024


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def rgb(hex_colour: str) -> tuple[int, int, int]:
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def gradient(c1: str, c2: str, angle: float = 90.0, size=(W * SS, H * SS)) -> Image.Image:
    """Linear gradient from c1 to c2. angle=90 is top-to-bottom, 0 is left-to-right."""
    w, h = size
    diag = int(math.hypot(w, h)) + 2
    mask = Image.linear_gradient("L").resize((diag, diag))
    mask = mask.rotate(90 - angle, resample=Image.BICUBIC)
    left, top = (diag - w) // 2, (diag - h) // 2
    mask = mask.crop((left, top, left + w, top + h))
    return Image.composite(Image.new("RGB", size, rgb(c2)), Image.new("RGB", size, rgb(c1)), mask)


def radial_glow(base: Image.Image, centre, radius, colour: str, strength: float = 0.8) -> Image.Image:
    """Blend a soft circular glow of `colour` into `base`."""
    w, h = base.size
    mask = Image.radial_gradient("L").resize((radius * 2, radius * 2))
    # radial_gradient reaches 255 only in the corners (about 181 at the edge
    # midpoints), so rescale to make the glow fade out fully inside the circle
    mask = mask.point(lambda v: int(max(0.0, 255 - v * 255 / 181) * strength))
    full = Image.new("L", (w, h), 0)
    full.paste(mask, (int(centre[0] - radius), int(centre[1] - radius)))
    return Image.composite(Image.new("RGB", (w, h), rgb(colour)), base, full)


def overlay(base: Image.Image, draw_fn, alpha: int = 255) -> Image.Image:
    """Draw translucent shapes onto a transparent layer, then composite it."""
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw_fn(ImageDraw.Draw(layer))
    if alpha < 255:
        a = layer.getchannel("A").point(lambda v: v * alpha // 255)
        layer.putalpha(a)
    out = base.convert("RGBA")
    out.alpha_composite(layer)
    return out.convert("RGB")


def s(v: float) -> int:
    """Scale a 1200x675 design coordinate to the supersampled canvas."""
    return int(round(v * SS))


def finish(img: Image.Image, name: str) -> Path:
    img = img.resize((W, H), Image.LANCZOS)
    path = HERE / f"{name}.jpg"
    for quality in (80, 75, 70, 65, 60):
        img.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
        if path.stat().st_size <= MAX_BYTES:
            break
    return path


# --------------------------------------------------------------------------
# the twelve featured images
# --------------------------------------------------------------------------

def bitcoin_crosses_100000():
    img = gradient("#7a2e00", "#f7b733", angle=20)
    img = radial_glow(img, (s(980), s(120)), s(420), "#ffe29a", 0.6)
    rnd = random.Random(100000)
    pts, y = [], 600.0
    for i in range(25):
        x = 40 + i * 47
        y = max(70.0, y - rnd.uniform(-8, 38))
        pts.append((s(x), s(y)))

    def draw(d):
        area = pts + [(pts[-1][0], s(H)), (pts[0][0], s(H))]
        d.polygon(area, fill=(255, 236, 179, 70))
        d.line(pts, fill=(255, 250, 235, 255), width=s(9), joint="curve")
        for gx in range(0, W, 100):
            d.line([(s(gx), 0), (s(gx), s(H))], fill=(255, 255, 255, 18), width=s(1))
        x, y = pts[-1]
        d.ellipse([x - s(16), y - s(16), x + s(16), y + s(16)], fill=(255, 255, 255, 255))
    return overlay(img, draw)


def hardware_wallet():
    img = gradient("#1c2530", "#2f3b48", angle=90)
    cx, cy = 600, 338

    def draw(d):
        for i, r in enumerate(range(520, 120, -60)):
            d.ellipse([s(cx - r), s(cy - r), s(cx + r), s(cy + r)],
                      outline=(120, 200, 255, 25 + i * 12), width=s(3))
        d.rounded_rectangle([s(cx - 190), s(cy - 85), s(cx + 190), s(cy + 85)],
                            radius=s(40), fill=(58, 66, 78, 255), outline=(150, 160, 175, 255), width=s(4))
        d.rounded_rectangle([s(cx - 120), s(cy - 40), s(cx + 60), s(cy + 40)],
                            radius=s(10), fill=(90, 200, 255, 255))
        d.ellipse([s(cx + 95), s(cy - 25), s(cx + 145), s(cy + 25)], fill=(200, 208, 220, 255))
    img = overlay(img, draw)
    return radial_glow(img, (s(cx - 30), s(cy)), s(260), "#5ac8ff", 0.25)


def mica():
    img = gradient("#00205b", "#003399", angle=60)
    cx, cy, R = 600, 338, 230

    def star(d, x, y, r):
        pts = []
        for k in range(10):
            a = -math.pi / 2 + k * math.pi / 5
            rr = r if k % 2 == 0 else r * 0.42
            pts.append((s(x + rr * math.cos(a)), s(y + rr * math.sin(a))))
        d.polygon(pts, fill=(255, 204, 0, 255))

    def draw(d):
        d.ellipse([s(cx - 120), s(cy - 120), s(cx + 120), s(cy + 120)], outline=(255, 255, 255, 200), width=s(10))
        d.ellipse([s(cx - 85), s(cy - 85), s(cx + 85), s(cy + 85)], outline=(255, 255, 255, 90), width=s(4))
        d.line([(s(cx - 45), s(cy)), (s(cx + 45), s(cy))], fill=(255, 255, 255, 160), width=s(8))
        for k in range(12):
            a = k * math.tau / 12
            star(d, cx + R * math.cos(a), cy + R * math.sin(a), 24)
    return overlay(img, draw)


def pakistan_el_salvador():
    img = Image.new("RGB", (s(W), s(H)), rgb("#01411c"))
    right = gradient("#0047ab", "#0f5fd1", angle=90, size=(s(W // 2), s(H)))
    img.paste(right, (s(W // 2), 0))

    def draw(d):
        d.ellipse([s(330), s(138), s(730), s(538)], fill=(255, 255, 255, 80))
        d.ellipse([s(470), s(138), s(870), s(538)], fill=(255, 255, 255, 80))
        d.ellipse([s(330), s(138), s(730), s(538)], outline=(255, 255, 255, 200), width=s(4))
        d.ellipse([s(470), s(138), s(870), s(538)], outline=(255, 255, 255, 200), width=s(4))
    return overlay(img, draw)


def pectra():
    img = gradient("#1b1464", "#3a2a8c", angle=110)
    img = radial_glow(img, (s(600), s(338)), s(380), "#7f6df2", 0.35)
    cx, top, bot, mid, hw = 600, 70, 610, 370, 190

    def draw(d):
        facets = [
            ([(cx, top), (cx - hw, mid), (cx, mid - 60)], (205, 196, 255, 255)),
            ([(cx, top), (cx + hw, mid), (cx, mid - 60)], (170, 155, 245, 255)),
            ([(cx - hw, mid), (cx, mid - 60), (cx, mid + 40)], (150, 135, 235, 255)),
            ([(cx + hw, mid), (cx, mid - 60), (cx, mid + 40)], (125, 108, 220, 255)),
            ([(cx - hw, mid + 25), (cx, mid + 90), (cx, bot)], (190, 180, 255, 255)),
            ([(cx + hw, mid + 25), (cx, mid + 90), (cx, bot)], (140, 125, 230, 255)),
        ]
        for poly, col in facets:
            d.polygon([(s(x), s(y)) for x, y in poly], fill=col)
        d.line([(s(cx), s(top - 30)), (s(cx), s(bot + 30))], fill=(255, 255, 255, 255), width=s(4))
    return overlay(img, draw)


def record_liquidations():
    img = gradient("#050505", "#1a0406", angle=90)
    rnd = random.Random(19)

    def draw(d):
        for j in range(7):
            x, y = -20.0, 20 + j * 45 + rnd.uniform(-20, 20)
            pts = [(s(x), s(y))]
            while x < W + 40:
                x += rnd.uniform(50, 90)
                y += rnd.uniform(5, 65) if rnd.random() < 0.8 else rnd.uniform(-45, -5)
                pts.append((s(x), s(min(y, H + 40))))
            shade = 120 + j * 18
            d.line(pts, fill=(shade, 10 + j * 4, 25, 230), width=s(4 + (j % 3) * 2), joint="curve")
    img = overlay(img, draw)
    return radial_glow(img, (s(1050), s(600)), s(300), "#b0001a", 0.35)


def solana_memecoins():
    img = gradient("#4b1b8f", "#14c2a3", angle=30)
    rnd = random.Random(2025)

    def draw(d):
        for _ in range(90):
            r = rnd.choice([6, 9, 12, 16, 22, 30, 42])
            x, y = rnd.uniform(0, W), rnd.uniform(0, H)
            col = rnd.choice([(255, 255, 255), (255, 230, 120), (153, 255, 230), (255, 150, 220)])
            d.ellipse([s(x - r), s(y - r), s(x + r), s(y + r)], fill=col + (rnd.randint(110, 230),))
    return overlay(img, draw)


def us_stablecoin_law():
    img = gradient("#0a1633", "#13244d", angle=90)

    def stripes(d):
        for i in range(13):
            col = (178, 34, 52) if i % 2 == 0 else (240, 240, 240)
            alpha = int(110 * (1 - i / 14))
            d.rectangle([0, s(40 + i * 46), s(W), s(40 + i * 46 + 46)], fill=col + (alpha,))
    img = overlay(img, stripes)
    grad_mask = Image.linear_gradient("L").rotate(90).resize(img.size)
    img = Image.composite(img, Image.new("RGB", img.size, rgb("#0a1633")), grad_mask)

    def coin(d):
        d.ellipse([s(760), s(138), s(1160), s(538)], fill=(46, 160, 90, 255))
        d.ellipse([s(800), s(178), s(1120), s(498)], outline=(200, 255, 215, 255), width=s(5))
    return overlay(img, coin)


def miners_stranded_energy():
    img = gradient("#dfe9e4", "#f6efe0", angle=90)
    img = radial_glow(img, (s(900), s(360)), s(160), "#ffb347", 0.9)

    def draw(d):
        layers = [(330, (74, 120, 96)), (390, (44, 94, 70)), (460, (26, 70, 50)), (540, (14, 48, 34))]
        for k, (base_y, col) in enumerate(layers):
            pts = [(0, s(H))]
            for x in range(0, W + 41, 40):
                y = base_y + 45 * math.sin(x / (140 + 40 * k) + k * 1.7)
                pts.append((s(x), s(y)))
            pts.append((s(W), s(H)))
            d.polygon(pts, fill=col + (255,))
        river = []
        for t in range(0, 101):
            y = 400 + t * 2.75
            x = 560 + 120 * math.sin(t / 14) + t * 1.4
            river.append((s(x), s(y)))
        d.line(river, fill=(70, 150, 215, 255), width=s(26), joint="curve")
        d.line(river, fill=(150, 205, 240, 255), width=s(8), joint="curve")
    return overlay(img, draw)


def generative_art():
    img = Image.new("RGB", (s(W), s(H)), rgb("#f4ecdc"))
    palette = [(232, 106, 90), (38, 150, 150), (52, 52, 58)]
    centres = [(330, 300, 0), (820, 380, 1), (600, 120, 2)]

    def draw(d):
        for cx, cy, k in centres:
            for i in range(16):
                r = 24 + i * 24
                col = palette[(i + k) % 3]
                wobble = 14 * math.sin(i * 0.7 + k)
                d.ellipse([s(cx - r - wobble), s(cy - r * 0.72), s(cx + r + wobble), s(cy + r * 0.72)],
                          outline=col + (170,), width=s(4))
    img = overlay(img, draw)
    # a touch of softening keeps the many crossing lines cheap to encode
    return img.filter(ImageFilter.GaussianBlur(s(1)))


def quantum():
    img = gradient("#03282c", "#0b3f46", angle=120)
    rnd = random.Random(1994)
    nodes = [(80 + i * 105 + rnd.uniform(-18, 18), 60 + j * 95 + rnd.uniform(-18, 18))
             for i in range(11) for j in range(7)]

    def draw(d):
        for r in range(60, 700, 55):
            d.ellipse([s(600 - r), s(338 - r), s(600 + r), s(338 + r)], outline=(120, 240, 255, 22), width=s(2))
        for a in nodes:
            for b in nodes:
                if a < b and math.dist(a, b) < 130:
                    d.line([(s(a[0]), s(a[1])), (s(b[0]), s(b[1]))], fill=(80, 220, 240, 90), width=s(1))
        for x, y in nodes:
            d.ellipse([s(x - 6), s(y - 6), s(x + 6), s(y + 6)], fill=(180, 255, 255, 255))
    img = overlay(img, draw)
    glow = img.filter(ImageFilter.GaussianBlur(s(6)))
    return Image.blend(img, glow, 0.3)


def tokenized_treasuries():
    img = gradient("#efe2c6", "#e2cfa6", angle=90)

    def draw(d):
        d.rectangle([0, s(560), s(W), s(575)], fill=(120, 100, 70, 120))
        for col in range(9):
            x = 110 + col * 115
            height = 3 + (col * 5) % 7
            for row in range(height):
                y = 540 - row * 46
                shade = 70 + row * 8
                d.rounded_rectangle([s(x), s(y), s(x + 92), s(y + 38)], radius=s(6),
                                    fill=(shade, shade + 20, shade + 45, 255))
    return overlay(img, draw)


def default_card():
    img = gradient("#e6e8eb", "#c9ced5", angle=135)

    def draw(d):
        for i in range(4):
            x, y = 470 + i * 70, 290 - i * 25
            d.rounded_rectangle([s(x), s(y), s(x + 60), s(y + 60)], radius=s(8),
                                fill=(150, 158, 170, 255 - i * 40))
        d.rectangle([s(470), s(370), s(730), s(376)], fill=(150, 158, 170, 200))
    return overlay(img, draw)


IMAGES = {
    "bitcoin-crosses-100000-for-the-first-time": bitcoin_crosses_100000,
    "how-to-set-up-a-hardware-wallet": hardware_wallet,
    "mica-stablecoin-rules-take-full-effect": mica,
    "pakistan-and-el-salvador-agree-to-share-crypto-know-how": pakistan_el_salvador,
    "ethereum-pectra-upgrade-goes-live": pectra,
    "record-liquidations-shake-crypto-derivatives-markets": record_liquidations,
    "solana-memecoin-frenzy-strains-network-fees": solana_memecoins,
    "us-stablecoin-law-signed": us_stablecoin_law,
    "bitcoin-miners-turn-to-stranded-gas-and-hydro": miners_stranded_energy,
    "museums-collect-onchain-generative-art": generative_art,
    "quantum-computing-and-bitcoin-signatures": quantum,
    "tokenized-treasury-funds-pass-milestone": tokenized_treasuries,
    "default-card": default_card,
}


# --------------------------------------------------------------------------
# SVGs
# --------------------------------------------------------------------------

LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48" viewBox="0 0 240 48" role="img" aria-labelledby="logo-title">
  <title id="logo-title">Blockline News</title>
  <g fill="#f7931a">
    <rect x="2" y="26" width="12" height="12" rx="2"/>
    <rect x="16" y="18" width="12" height="12" rx="2" fill-opacity="0.85"/>
    <rect x="30" y="10" width="12" height="12" rx="2" fill-opacity="0.7"/>
  </g>
  <rect x="2" y="41" width="40" height="3" rx="1.5" fill="#1c2530"/>
  <text x="52" y="32" font-family="Inter, Helvetica, Arial, sans-serif" font-size="22" font-weight="700" fill="#1c2530">Blockline<tspan font-weight="400" fill="#5b6673"> News</tspan></text>
</svg>
"""

FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-labelledby="favicon-title">
  <title id="favicon-title">Blockline News</title>
  <rect width="64" height="64" rx="12" fill="#1c2530"/>
  <rect x="12" y="34" width="12" height="12" rx="2" fill="#f7931a"/>
  <rect x="26" y="24" width="12" height="12" rx="2" fill="#f7931a" fill-opacity="0.85"/>
  <rect x="40" y="14" width="12" height="12" rx="2" fill="#f7931a" fill-opacity="0.7"/>
  <rect x="12" y="50" width="40" height="3" rx="1.5" fill="#ffffff"/>
</svg>
"""


def main() -> None:
    for name, fn in IMAGES.items():
        path = finish(fn(), name)
        print(f"{path.relative_to(ASSETS.parent)}  {path.stat().st_size // 1024} KB")
    (HERE / "logo.svg").write_text(LOGO_SVG, encoding="utf-8")
    (ASSETS / "favicon.svg").write_text(FAVICON_SVG, encoding="utf-8")
    print("assets/img/logo.svg, assets/favicon.svg")


if __name__ == "__main__":
    main()
