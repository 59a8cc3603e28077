#!/usr/bin/env python3
"""Generate the sample artwork for the Blockline News example site.

Creates the featured image of every example article at 1200x675: twelve
abstract JPEGs drawn one by one, and per-topic WebP illustrations (charts,
diagrams, abstract art) drawn from a motif, a palette and the article's slug
(``TOPICS``); plus ``default-card.jpg`` (the share image for pages without
one), the ``logo.svg`` wordmark and the ``../favicon.svg`` icon.

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
# per-topic illustrations for the other articles: charts, diagrams and
# abstract art, each drawn from a motif, a palette and a seed (WebP, small)
# --------------------------------------------------------------------------

PALETTES = {
    # name: (background top, background bottom, main ink, accent, soft)
    "night": ("#0b1730", "#13294f", "#7dd3fc", "#fbbf24", "#1e3a66"),
    "ember": ("#2a0a12", "#4a1020", "#fb7185", "#fde68a", "#6b1a2e"),
    "mint": ("#e7f6ef", "#cdeee0", "#0f766e", "#f97316", "#a7dcc8"),
    "sand": ("#f6ecd9", "#ead7b3", "#7c2d12", "#0e7490", "#dcc495"),
    "violet": ("#1c1240", "#2e1d66", "#c4b5fd", "#34d399", "#3d2a80"),
    "ocean": ("#062a35", "#0b4552", "#5eead4", "#fca5a5", "#0f5a6a"),
    "paper": ("#f5f5f0", "#e8e6dc", "#1f2937", "#dc2626", "#d6d3c4"),
    "sky": ("#dbeafe", "#bfdbfe", "#1e3a8a", "#f59e0b", "#93c5fd"),
    "forest": ("#0d2b1d", "#164430", "#86efac", "#facc15", "#1f5a3f"),
    "slate": ("#1e293b", "#334155", "#e2e8f0", "#38bdf8", "#475569"),
}


def rgba(hex_colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    return rgb(hex_colour) + (alpha,)


def backdrop(pal, angle: float = 90.0) -> Image.Image:
    return gradient(pal[0], pal[1], angle=angle)


def line_chart(rnd: random.Random, pal, trend: float = 1.0):
    """A price line with its area filled, over a grid; trend > 0 rises, < 0 falls."""
    img = backdrop(pal, 100)
    pts, y = [], 420 + 150 * trend
    for i in range(41):
        y = min(620.0, max(80.0, y - trend * rnd.uniform(-10, 24) + rnd.uniform(-14, 14)))
        pts.append((s(60 + i * 27), s(y)))

    def draw(d):
        for gy in range(115, H, 90):
            d.line([(s(60), s(gy)), (s(1140), s(gy))], fill=rgba(pal[2], 40), width=s(1))
        d.polygon(pts + [(pts[-1][0], s(640)), (pts[0][0], s(640))], fill=rgba(pal[2], 60))
        d.line(pts, fill=rgba(pal[2]), width=s(6), joint="curve")
        x, y = pts[-1]
        d.ellipse([x - s(14), y - s(14), x + s(14), y + s(14)], fill=rgba(pal[3]))
        d.line([(s(60), y), (x, y)], fill=rgba(pal[3], 140), width=s(2))
    return overlay(img, draw)


def candles(rnd: random.Random, pal, trend: float = 0.0):
    """A candlestick chart: green-ish rising bodies, accent falling ones, with volume bars."""
    img = backdrop(pal, 90)
    price = 340.0

    def draw(d):
        nonlocal price
        for gy in range(95, 560, 80):
            d.line([(0, s(gy)), (s(W), s(gy))], fill=rgba(pal[2], 30), width=s(1))
        for i in range(30):
            x = 50 + i * 37
            move = rnd.uniform(-45, 45) - trend * 12
            o, c = price, min(520.0, max(90.0, price + move))
            hi, lo = min(o, c) - rnd.uniform(5, 40), max(o, c) + rnd.uniform(5, 40)
            col = pal[2] if c < o else pal[3]
            d.line([(s(x + 11), s(hi)), (s(x + 11), s(lo))], fill=rgba(col), width=s(3))
            d.rectangle([s(x), s(min(o, c)), s(x + 22), s(max(max(o, c), min(o, c) + 4))], fill=rgba(col))
            vol = rnd.uniform(20, 80)
            d.rectangle([s(x), s(650 - vol), s(x + 22), s(650)], fill=rgba(col, 90))
            price = c
    return overlay(img, draw)


def bars(rnd: random.Random, pal, rising: bool = True):
    """A bar chart of rounded columns, the last one highlighted."""
    img = backdrop(pal, 90)
    n = 12

    def draw(d):
        d.line([(s(80), s(600)), (s(1120), s(600))], fill=rgba(pal[2], 160), width=s(3))
        for i in range(n):
            base = 120 + i * 30 if rising else 420 - i * 18
            hgt = max(40.0, base + rnd.uniform(-60, 60))
            x = 100 + i * 85
            col = pal[3] if i == n - 1 else pal[2]
            d.rounded_rectangle([s(x), s(600 - hgt), s(x + 58), s(600)], radius=s(10), fill=rgba(col, 230))
    return overlay(img, draw)


def donut(rnd: random.Random, pal, parts: int = 5):
    """A donut chart beside a stack of legend bars."""
    img = backdrop(pal, 135)
    cols = [pal[2], pal[3], pal[4], "#ffffff", pal[0]]
    shares = [rnd.uniform(1, 4) for _ in range(parts)]
    total = sum(shares)

    def draw(d):
        start = -90.0
        box = [s(140), s(110), s(590), s(560)]
        for k, share in enumerate(shares):
            end = start + 360 * share / total
            d.pieslice(box, start, end, fill=rgba(cols[k % len(cols)]), outline=rgba(pal[0]), width=s(6))
            start = end
        d.ellipse([s(250), s(220), s(480), s(450)], fill=rgba(pal[1]))
        for k, share in enumerate(shares):
            y = 170 + k * 75
            d.rounded_rectangle([s(680), s(y), s(720), s(y + 40)], radius=s(8), fill=rgba(cols[k % len(cols)]))
            d.rounded_rectangle([s(740), s(y + 10), s(740 + 360 * share / max(shares)), s(y + 30)],
                                radius=s(10), fill=rgba(pal[2], 110))
    return overlay(img, draw)


def network(rnd: random.Random, pal, hubs: int = 3):
    """Nodes and links: a few bright hubs that most links run through."""
    img = backdrop(pal, 120)
    hub_pts = [(rnd.uniform(250, 950), rnd.uniform(150, 520)) for _ in range(hubs)]
    nodes = [(rnd.uniform(40, 1160), rnd.uniform(40, 635)) for _ in range(60)]

    def draw(d):
        for x, y in nodes:
            hx, hy = min(hub_pts, key=lambda h: math.dist(h, (x, y)))
            d.line([(s(x), s(y)), (s(hx), s(hy))], fill=rgba(pal[2], 90), width=s(2))
        for a in hub_pts:
            for b in hub_pts:
                if a < b:
                    d.line([(s(a[0]), s(a[1])), (s(b[0]), s(b[1]))], fill=rgba(pal[3], 200), width=s(4))
        for x, y in nodes:
            r = rnd.choice([5, 7, 9])
            d.ellipse([s(x - r), s(y - r), s(x + r), s(y + r)], fill=rgba(pal[2]))
        for x, y in hub_pts:
            d.ellipse([s(x - 34), s(y - 34), s(x + 34), s(y + 34)], fill=rgba(pal[3]), outline=rgba(pal[0]), width=s(6))
    return overlay(img, draw)


def cube(d, x: float, y: float, size: float, pal, alpha: int = 255) -> None:
    """An isometric cube whose top corner is at (x, y)."""
    h = size / 2
    top = [(x, y), (x + size, y + h), (x, y + size), (x - size, y + h)]
    left = [(x - size, y + h), (x, y + size), (x, y + size * 2), (x - size, y + h + size)]
    right = [(x + size, y + h), (x, y + size), (x, y + size * 2), (x + size, y + h + size)]
    for poly, col in ((top, pal[2]), (left, pal[4]), (right, pal[3])):
        d.polygon([(s(px), s(py)) for px, py in poly], fill=rgba(col, alpha))


def blocks(rnd: random.Random, pal, count: int = 5):
    """A chain of isometric blocks linked left to right, the newest one bright."""
    img = backdrop(pal, 60)
    img = radial_glow(img, (s(900), s(260)), s(380), pal[4], 0.5)

    def draw(d):
        xs = [150 + i * (900 / (count - 1)) for i in range(count)]
        ys = [300 + 70 * math.sin(i * 1.3 + rnd.uniform(0, 1)) for i in range(count)]
        for i in range(count - 1):
            d.line([(s(xs[i]), s(ys[i] + 70)), (s(xs[i + 1]), s(ys[i + 1] + 70))], fill=rgba(pal[2], 160), width=s(5))
        for i, (x, y) in enumerate(zip(xs, ys)):
            cube(d, x, y, 70, pal, 255 if i == count - 1 else 200)
    return overlay(img, draw)


def coins(rnd: random.Random, pal, stacks: int = 5):
    """Stacks of coins of rising height, like a bar chart made of money."""
    img = backdrop(pal, 90)

    def draw(d):
        for k in range(stacks):
            cx = 170 + k * (860 / max(1, stacks - 1))
            height = 3 + int(k * 2.2 + rnd.uniform(0, 3))
            for j in range(height):
                y = 560 - j * 34
                d.ellipse([s(cx - 80), s(y - 22), s(cx + 80), s(y + 22)], fill=rgba(pal[4]))
                d.rectangle([s(cx - 80), s(y - 12), s(cx + 80), s(y)], fill=rgba(pal[4]))
                d.ellipse([s(cx - 80), s(y - 34), s(cx + 80), s(y + 10)], fill=rgba(pal[3] if j == height - 1 else pal[2]),
                          outline=rgba(pal[0], 120), width=s(2))
            top = 560 - (height - 1) * 34
            d.ellipse([s(cx - 40), s(top - 22), s(cx + 40), s(top - 2)], outline=rgba(pal[0], 160), width=s(3))
    return overlay(img, draw)


def arcs(rnd: random.Random, pal, routes: int = 7):
    """A dotted world of points with transfer arcs from one origin to many destinations."""
    img = backdrop(pal, 110)
    origin = (rnd.uniform(200, 420), rnd.uniform(250, 420))

    def draw(d):
        for gx in range(30, W, 26):
            for gy in range(30, H, 26):
                if math.sin(gx / 140.0) * math.cos(gy / 95.0) + rnd.uniform(-0.25, 0.25) > 0.1:
                    d.ellipse([s(gx - 3), s(gy - 3), s(gx + 3), s(gy + 3)], fill=rgba(pal[2], 70))
        for _ in range(routes):
            tx, ty = rnd.uniform(650, 1120), rnd.uniform(90, 600)
            lift = rnd.uniform(120, 260)
            pts = []
            for t in range(41):
                u = t / 40
                x = origin[0] + (tx - origin[0]) * u
                y = origin[1] + (ty - origin[1]) * u - lift * 4 * u * (1 - u)
                pts.append((s(x), s(y)))
            d.line(pts, fill=rgba(pal[3], 220), width=s(4), joint="curve")
            d.ellipse([s(tx - 9), s(ty - 9), s(tx + 9), s(ty + 9)], fill=rgba(pal[2]))
        ox, oy = origin
        d.ellipse([s(ox - 20), s(oy - 20), s(ox + 20), s(oy + 20)], fill=rgba(pal[3]), outline=rgba("#ffffff"), width=s(4))
    return overlay(img, draw)


def padlock(rnd: random.Random, pal, open_: bool = False):
    """A padlock (closed, or open for a breach) on a field of key-like hex digits drawn as bars."""
    img = backdrop(pal, 90)

    def draw(d):
        for row in range(14):
            x = 20.0
            while x < W:
                w = rnd.choice([12, 20, 28, 36])
                d.rounded_rectangle([s(x), s(20 + row * 48), s(x + w), s(36 + row * 48)], radius=s(4), fill=rgba(pal[2], 40))
                x += w + 14
        cx, cy = 600, 380
        lift = 60 if open_ else 0
        d.arc([s(cx - 95), s(cy - 230 - lift), s(cx + 95), s(cy - 40 - lift)], 180, 360, fill=rgba(pal[2]), width=s(30))
        d.line([(s(cx - 80), s(cy - 135 - lift)), (s(cx - 80), s(cy - 40 - lift * 0.2))], fill=rgba(pal[2]), width=s(30))
        if not open_:
            d.line([(s(cx + 80), s(cy - 135)), (s(cx + 80), s(cy - 40))], fill=rgba(pal[2]), width=s(30))
        d.rounded_rectangle([s(cx - 150), s(cy - 60), s(cx + 150), s(cy + 170)], radius=s(28), fill=rgba(pal[3]))
        d.ellipse([s(cx - 26), s(cy + 10), s(cx + 26), s(cy + 62)], fill=rgba(pal[0]))
        d.rectangle([s(cx - 10), s(cy + 50), s(cx + 10), s(cy + 110)], fill=rgba(pal[0]))
    return overlay(img, draw)


def pixels(rnd: random.Random, pal, cell: int = 45):
    """Pixel art: a coarse grid of tiles with a bright sprite-like shape in the middle."""
    img = Image.new("RGB", (s(W), s(H)), rgb(pal[0]))
    shape = [[rnd.random() < 0.55 for _ in range(4)] for _ in range(8)]

    def draw(d):
        cols, rows = W // cell + 1, H // cell + 1
        for i in range(cols):
            for j in range(rows):
                col = rnd.choice([pal[1], pal[4], pal[0], pal[1]])
                d.rectangle([s(i * cell), s(j * cell), s(i * cell + cell - 3), s(j * cell + cell - 3)], fill=rgba(col))
        x0, y0 = (cols // 2 - 4), (rows // 2 - 4)
        for j in range(8):
            for i in range(4):
                if shape[j][i]:
                    for ii in (i, 7 - i):
                        col = pal[3] if (j + ii) % 5 == 0 else pal[2]
                        x, y = (x0 + ii) * cell, (y0 + j) * cell
                        d.rectangle([s(x), s(y), s(x + cell - 3), s(y + cell - 3)], fill=rgba(col))
    return overlay(img, draw)


def bauhaus(rnd: random.Random, pal, shapes: int = 7):
    """Abstract composition of big circles, half-discs and bars (for opinion pieces)."""
    img = Image.new("RGB", (s(W), s(H)), rgb(pal[0]))
    cols = [pal[2], pal[3], pal[4], pal[1]]

    def draw(d):
        for k in range(shapes):
            col = rgba(cols[k % len(cols)], 235)
            x, y = rnd.uniform(80, 1120), rnd.uniform(60, 620)
            r = rnd.uniform(70, 210)
            kind = k % 3
            if kind == 0:
                d.ellipse([s(x - r), s(y - r), s(x + r), s(y + r)], fill=col)
            elif kind == 1:
                d.pieslice([s(x - r), s(y - r), s(x + r), s(y + r)], rnd.choice([0, 90, 180, 270]),
                           rnd.choice([0, 90, 180, 270]) + 180, fill=col)
            else:
                d.rectangle([s(x - r * 1.6), s(y - 18), s(x + r * 1.6), s(y + 18)], fill=col)
    return overlay(img, draw)


def checklist(rnd: random.Random, pal, rows: int = 6):
    """A sheet of paper with ticked rows, tilted slightly, on a plain ground."""
    img = backdrop(pal, 90)
    sheet = Image.new("RGBA", (s(520), s(640)), (0, 0, 0, 0))
    d = ImageDraw.Draw(sheet)
    d.rounded_rectangle([0, 0, s(520), s(640)], radius=s(22), fill=(255, 255, 255, 255))
    for k in range(rows):
        y = 70 + k * 88
        done = k < rows - 2
        d.rounded_rectangle([s(50), s(y), s(100), s(y + 50)], radius=s(10),
                            fill=rgba(pal[3]) if done else (255, 255, 255, 255), outline=rgba(pal[2]), width=s(4))
        if done:
            d.line([(s(60), s(y + 26)), (s(73), s(y + 39)), (s(92), s(y + 12))], fill=(255, 255, 255, 255), width=s(7))
        d.rounded_rectangle([s(125), s(y + 14), s(125 + rnd.uniform(180, 330)), s(y + 36)], radius=s(10),
                            fill=rgba(pal[2], 110))
    sheet = sheet.rotate(rnd.uniform(-6, 6), resample=Image.BICUBIC, expand=True)
    out = img.convert("RGBA")
    out.alpha_composite(sheet, (s(600) - sheet.width // 2, s(338) - sheet.height // 2))
    return out.convert("RGB")


def columns(rnd: random.Random, pal, count: int = 6):
    """A classical building front: pediment, columns and steps (policy and the law)."""
    img = backdrop(pal, 90)
    img = radial_glow(img, (s(600), s(300)), s(420), pal[4], 0.5)

    def draw(d):
        left, right = 260, 940
        d.polygon([(s(left - 30), s(210)), (s(600), s(90)), (s(right + 30), s(210))], fill=rgba(pal[2]))
        d.rectangle([s(left - 30), s(210), s(right + 30), s(240)], fill=rgba(pal[2]))
        step = (right - left) / (count - 1)
        for k in range(count):
            x = left + k * step
            d.rectangle([s(x - 24), s(250), s(x + 24), s(520)], fill=rgba(pal[2], 235))
            for f in (-10, 0, 10):
                d.line([(s(x + f), s(260)), (s(x + f), s(510))], fill=rgba(pal[0], 60), width=s(2))
        for k in range(3):
            d.rectangle([s(left - 60 - k * 30), s(525 + k * 28), s(right + 60 + k * 30), s(550 + k * 28)], fill=rgba(pal[2], 220 - k * 40))
        d.ellipse([s(575), s(140), s(625), s(190)], fill=rgba(pal[3]))
    return overlay(img, draw)


def waves(rnd: random.Random, pal, layers: int = 6):
    """Layered waves that flatten towards the front: yields that compress, cycles that fade."""
    img = backdrop(pal, 90)

    def draw(d):
        for k in range(layers):
            amp = 110 * (1 - k / layers) + 10
            freq = rnd.uniform(180, 260)
            base = 200 + k * 70
            pts = [(0, s(H))] + [(s(x), s(base + amp * math.sin(x / freq + k))) for x in range(0, W + 21, 20)] + [(s(W), s(H))]
            col = pal[2] if k % 2 == 0 else pal[4]
            d.polygon(pts, fill=rgba(col, 70 + k * 25))
        d.ellipse([s(930), s(70), s(1050), s(190)], fill=rgba(pal[3]))
    return overlay(img, draw)


def window(rnd: random.Random, pal, widgets: int = 3):
    """A browser window holding a page of rows and small price widgets (guides for builders)."""
    img = backdrop(pal, 120)

    def draw(d):
        d.rounded_rectangle([s(150), s(80), s(1050), s(610)], radius=s(18), fill=(255, 255, 255, 255))
        d.rounded_rectangle([s(150), s(80), s(1050), s(130)], radius=s(18), fill=rgba(pal[4]))
        d.rectangle([s(150), s(110), s(1050), s(130)], fill=rgba(pal[4]))
        for k, col in enumerate(("#ef4444", "#f59e0b", "#22c55e")):
            d.ellipse([s(180 + k * 30), s(96), s(198 + k * 30), s(114)], fill=rgba(col))
        d.rounded_rectangle([s(300), s(94), s(900), s(116)], radius=s(10), fill=(255, 255, 255, 200))
        for k in range(widgets):
            x = 190 + k * 285
            d.rounded_rectangle([s(x), s(170), s(x + 250), s(300)], radius=s(12), fill=rgba(pal[1]))
            pts = [(s(x + 20 + i * 21), s(270 - 50 * math.sin(i / 2 + k) - i * rnd.uniform(0, 4))) for i in range(11)]
            d.line(pts, fill=rgba(pal[3]), width=s(4), joint="curve")
            d.rounded_rectangle([s(x + 20), s(185), s(x + 120), s(200)], radius=s(6), fill=rgba(pal[2], 160))
        for k in range(6):
            y = 340 + k * 42
            d.rounded_rectangle([s(190), s(y), s(190 + rnd.uniform(300, 780)), s(y + 18)], radius=s(8), fill=rgba(pal[2], 60))
    return overlay(img, draw)


def lightning(rnd: random.Random, pal, rings: int = 7):
    """A lightning bolt over concentric payment rings."""
    img = backdrop(pal, 90)
    img = radial_glow(img, (s(600), s(338)), s(330), pal[3], 0.35)

    def draw(d):
        for k in range(rings):
            r = 80 + k * 60
            d.ellipse([s(600 - r), s(338 - r), s(600 + r), s(338 + r)], outline=rgba(pal[2], 150 - k * 18), width=s(3))
            a = rnd.uniform(0, math.tau)
            x, y = 600 + r * math.cos(a), 338 + r * math.sin(a)
            d.ellipse([s(x - 8), s(y - 8), s(x + 8), s(y + 8)], fill=rgba(pal[2]))
        bolt = [(640, 90), (500, 360), (590, 360), (540, 590), (720, 290), (620, 290), (690, 90)]
        d.polygon([(s(x), s(y)) for x, y in bolt], fill=rgba(pal[3]))
    return overlay(img, draw)


# slug: (motif, palette, seed-free variant argument, alt text)
TOPICS = {
    "bitcoin-rallies-past-80000-post-election": (line_chart, "night", 1.0, "Line chart climbing steeply to a gold point on a dark blue grid"),
    "bitcoin-slips-below-92000-ahead-of-options-expiry": (line_chart, "ember", -1.0, "Line chart sliding down to a pale marker on a deep red grid"),
    "crypto-markets-slide-as-tariff-fears-hit-risk-assets": (candles, "slate", 1.5, "Candlestick chart trending lower with volume bars beneath, on slate grey"),
    "asian-session-crypto-market-wrap-november-28": (candles, "sky", 0.0, "Candlestick chart moving sideways on a pale blue ground"),
    "defi-lending-markets-hit-new-highs": (bars, "forest", True, "Bar chart of rising green columns ending in a yellow bar"),
    "decentralized-exchange-volumes-rival-centralized": (bars, "violet", True, "Bar chart of violet columns climbing to a green record bar"),
    "ethereum-validator-entry-queue-grows": (bars, "sky", True, "Rising columns like a queue growing longer, on pale blue"),
    "stablecoin-velocity-on-chain-study": (donut, "paper", 5, "Donut chart with a legend of bars, in ink and red on paper"),
    "study-measures-bitcoin-mining-energy-mix": (donut, "forest", 4, "Donut chart of an energy mix in greens and yellow"),
    "nft-market-2024-in-review": (donut, "violet", 6, "Donut chart in violets and green beside legend bars"),
    "mev-research-ethereum-block-builders": (network, "night", 3, "Network of many small nodes linked to three bright hubs"),
    "cross-chain-bridges-interoperability-standards": (network, "ember", 2, "Two clusters of nodes joined by a single bright bridge link"),
    "layer-2-networks-agree-on-cross-rollup-messaging": (network, "ocean", 4, "Four hubs on a teal ground, each with its own nodes, all linked together"),
    "zero-knowledge-proofs-move-from-lab-to-production": (blocks, "violet", 5, "Chain of isometric blocks in violet and green"),
    "bnb-chain-faster-blocks-lower-fees": (blocks, "sand", 7, "A long chain of small isometric blocks on a sand ground"),
    "fusaka-upgrade-peerdas-blob-capacity": (blocks, "ocean", 4, "Four large isometric blocks joined on a teal ground"),
    "asset-managers-pick-ethereum-for-tokenized-funds": (coins, "slate", 5, "Stacks of coins of rising height on slate grey"),
    "tron-stablecoin-transfers-emerging-markets": (arcs, "ember", 8, "Transfer arcs fanning out from one point over a dotted map"),
    "stablecoin-remittances-philippines": (arcs, "ocean", 6, "Arcs from one origin to distant dots over a dotted teal map"),
    "el-salvador-bitcoin-law-changes-imf-deal": (columns, "sky", 6, "Classical building front with six columns on pale blue"),
    "sec-generic-listing-standards-crypto-etfs": (columns, "slate", 8, "Classical building front with eight columns on slate grey"),
    "why-self-custody-still-matters": (padlock, "forest", False, "Closed padlock in yellow over rows of key-like bars"),
    "bybit-hack-lessons-for-defi": (padlock, "ember", True, "Open padlock over rows of key-like bars on deep red"),
    "blockchain-gaming-studios-rethink-nfts": (pixels, "violet", 45, "Pixel-art sprite on a grid of violet tiles"),
    "bitcoin-ordinals-and-runes-activity": (pixels, "sand", 36, "Pixel-art sprite in brown and teal on a grid of sand tiles"),
    "daos-need-better-governance-not-more-tokens": (bauhaus, "paper", 7, "Abstract composition of circles, half-discs and bars in ink and red"),
    "memecoins-are-a-mirror": (bauhaus, "violet", 9, "Abstract composition of overlapping circles and bars in violet and green"),
    "cbdcs-are-not-the-answer": (bauhaus, "sky", 6, "Abstract composition of navy and orange circles and bars on pale blue"),
    "year-end-crypto-tax-checklist": (checklist, "sand", 6, "Tilted checklist with four rows ticked and two to go"),
    "beginners-guide-to-staking": (checklist, "mint", 5, "Tilted checklist on mint green with three rows ticked"),
    "liquid-restaking-yields-compress": (waves, "ocean", 6, "Layered waves flattening towards the front, under a pink sun"),
    "dogecoin-at-twelve": (waves, "sand", 5, "Layered waves in warm brown under a teal sun"),
    "build-a-crypto-price-widget-with-a-static-site-generator": (window, "night", 3, "Browser window holding three small price-chart widgets"),
    "how-to-read-a-blockchain-explorer": (window, "mint", 2, "Browser window with two chart widgets and rows of data"),
    "lightning-network-merchant-payments": (lightning, "night", 7, "Lightning bolt over concentric rings dotted with payments"),
    "black-friday-shoppers-pay-with-stablecoins": (coins, "ember", 6, "Six stacks of coins on deep red, the tallest topped in gold"),
    "retailers-accept-stablecoin-payments-at-checkout": (coins, "mint", 4, "Four stacks of teal coins rising on mint green"),
    "xrp-after-the-sec-case": (line_chart, "slate", 0.6, "Line chart recovering upward on a slate grid"),
}


def finish_webp(img: Image.Image, name: str) -> Path:
    img = img.resize((W, H), Image.LANCZOS)
    path = HERE / f"{name}.webp"
    img.save(path, "WEBP", quality=72, method=6)
    return path


def topic_images() -> dict[str, str]:
    """Draw every TOPICS image (seeded by its slug, so reruns are identical); returns slug -> alt text."""
    alts = {}
    for slug, (motif, palette, arg, alt) in TOPICS.items():
        rnd = random.Random(slug)
        path = finish_webp(motif(rnd, PALETTES[palette], arg), slug)
        print(f"{path.relative_to(ASSETS.parent)}  {path.stat().st_size // 1024} KB")
        alts[slug] = alt
    return alts


# Author portraits (content/_data/authors.toml): an abstract head and shoulders on a tint, 256x256.
AVATARS = {"priya-nair": ("#1740b0", "#f2c6a0", "#0b1220"), "lena-fischer": ("#0f766e", "#f5d5b8", "#7c2d12"),
           "aiko-tanaka": ("#a83c07", "#f1cfae", "#111827"), "maya-okafor": ("#6d28d9", "#8d5a3b", "#1f2937"),
           "daniel-reyes": ("#166534", "#d9a77f", "#3f2a1d"), "sam-whitaker": ("#334155", "#f0c9a5", "#b45309")}


def avatar(tint: str, skin: str, hair: str) -> Image.Image:
    size = 256 * SS
    img = Image.new("RGB", (size, size), rgb(tint))
    d = ImageDraw.Draw(img)
    u = size / 256
    d.ellipse([48 * u, 170 * u, 208 * u, 330 * u], fill=rgb(hair))  # shoulders
    d.rectangle([108 * u, 140 * u, 148 * u, 185 * u], fill=rgb(skin))  # neck
    d.ellipse([78 * u, 52 * u, 178 * u, 166 * u], fill=rgb(skin))  # face
    d.chord([72 * u, 40 * u, 184 * u, 140 * u], 180, 360, fill=rgb(hair))  # hair
    return img.resize((256, 256), Image.LANCZOS)


def avatars() -> None:
    folder = HERE / "authors"
    folder.mkdir(exist_ok=True)
    for slug, colours in AVATARS.items():
        path = folder / f"{slug}.webp"
        avatar(*colours).save(path, "WEBP", quality=80, method=6)
        print(f"{path.relative_to(ASSETS.parent)}  {path.stat().st_size // 1024} KB")


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
    topic_images()
    avatars()
    (HERE / "logo.svg").write_text(LOGO_SVG, encoding="utf-8")
    (ASSETS / "favicon.svg").write_text(FAVICON_SVG, encoding="utf-8")
    print("assets/img/logo.svg, assets/favicon.svg")


if __name__ == "__main__":
    main()
