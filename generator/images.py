"""Featured images and images in article bodies: size read from the file, resized variants (WebP and the original format) for cards.

Variants are made with Pillow once and kept in .cache/images/, keyed by the source bytes, width,
format and quality, so later builds only copy them.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.config import SiteConfig
from generator.errors import Problem
from generator.model import Article
from generator.stamps import source_stamp

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
VARIANT_DIR = "assets/img/_v"  # in the output
RESIZABLE = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    url: str  # site path
    webp_url: str


@dataclass(frozen=True)
class ImageInfo:
    src: str
    width: int
    height: int
    variants: tuple[Variant, ...] = ()

    def best(self, width: int) -> Variant | None:
        """The smallest variant at least `width` pixels wide (for a thumbnail src)."""
        fitting = [v for v in self.variants if v.width >= width]
        return fitting[0] if fitting else (self.variants[-1] if self.variants else None)


@dataclass
class ImageSet:
    infos: dict[str, ImageInfo] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # output rel -> cached variant file
    key: str = ""
    measured: dict[str, tuple] = field(default_factory=dict)  # src -> (stat, digest, width, height), for next time

    def get(self, src: str) -> ImageInfo | None:
        return self.infos.get(src)


def _regular_file(path: Path) -> bool:
    """A readable regular file (a name too long, a NUL or a named pipe is just "not there")."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def prepare_images(articles, config: SiteConfig, site_dir: Path, problems: list[Problem],
                   measured: dict | None = None) -> ImageSet:
    """Measure every featured image and make its variants; a missing file is an error naming the article.

    `measured` is the last build's ImageSet.measured: a file whose size and mtime are as then is
    not read again (its digest and size are known) unless a variant has to be made.
    """
    measured = measured if isinstance(measured, dict) else {}
    cache_dir = site_dir / ".cache" / "images"
    result = ImageSet()
    h = hashlib.sha256(repr(config.images).encode())
    wanted: dict[str, list[tuple[Article, int | None, str]]] = {}  # src -> (article, line, what names it)
    for article in articles:
        if article.image is not None:
            wanted.setdefault(article.image.src, []).append((article, None, "the image: field"))
        for src, line in article.body_images:
            wanted.setdefault(src, []).append((article, line, "the image's path in the Markdown"))
        if article.og_image.startswith("/"):
            wanted.setdefault(article.og_image, []).append((article, None, "the og_image: field"))
    for extra in (config.default_image, config.logo):
        if extra:
            wanted.setdefault(extra, [])
    resizes = []  # (src, users, path, variants to make, its output paths)
    queued: set[Path] = set()
    for src in sorted(wanted):
        users = wanted[src]
        try:
            parts = urlsplit(src)
        except ValueError:  # not a URL at all: content.validate refuses these; an old cache entry may not
            continue
        if parts.scheme or parts.netloc:
            continue  # remote images: used as they are
        rel = unquote(parts.path).lstrip("/")  # the file's name: src is percent-encoded (content.validate)
        path = site_dir / rel
        if not rel.startswith("assets/") or ".." in rel.split("/") or not _regular_file(path):
            for article, line, what in users or [(None, None, "site.toml")]:
                where = article.source if article else "site.toml"
                # an image in a body stays as written (imported posts link files the host may serve)
                problems.append(Problem(where, f"image {src} does not exist (looked for {rel})", line,
                                        f"put the file under assets/ and write its path as /assets/...; or fix {what}",
                                        "warning" if line else "error"))
            continue
        try:
            st = path.stat()
            stamp = (st.st_size, source_stamp(st))
            known = measured.get(src)
            if known is not None and known[0] == stamp:
                digest, width, height = known[1:]
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                width = height = -1  # read below
        except OSError as exc:
            _unreadable(src, users, exc, problems)
            continue
        h.update(f"{src}\0{digest}\n".encode())
        suffix = path.suffix.lower()
        if suffix == ".svg":  # scalable: no size, no variants (and Pillow cannot read it)
            result.infos[src] = ImageInfo(src, 0, 0)
            continue
        try:
            variants = []
            todo = []
            made = []  # output paths of this image's variants
            if width < 0:
                from PIL import Image as PILImage  # imported only when an image has to be read
                with PILImage.open(path) as im:
                    width, height = im.size
            if suffix in RESIZABLE:
                for w in sorted(set(config.images.widths)):
                    if w >= width:
                        continue
                    hh = round(height * w / width)
                    stem = f"{_SAFE_NAME.sub('-', Path(rel).stem)}-{digest[:8]}-{w}"  # a plain name for plain URLs
                    base_rel = f"{VARIANT_DIR}/{stem}{suffix}"
                    webp_rel = f"{VARIANT_DIR}/{stem}.webp"
                    for out_rel, fmt in ((base_rel, RESIZABLE[suffix]), (webp_rel, "WEBP")):
                        cached = cache_dir / Path(out_rel).name
                        if not cached.exists() and cached not in queued:  # identical files share variants
                            todo.append((w, hh, fmt, cached))
                            queued.add(cached)
                        result.files[out_rel] = cached
                        made.append(out_rel)
                    variants.append(Variant(w, hh, "/" + base_rel, "/" + webp_rel))
        except OSError as exc:  # PIL's UnidentifiedImageError is one
            _unreadable(src, users, exc, problems)
            continue
        if todo:
            resizes.append((src, users, path, todo, made))
        result.measured[src] = (stamp, digest, width, height)
        result.infos[src] = ImageInfo(src, width, height, tuple(variants))
    if resizes:  # Pillow releases the GIL while it resizes and encodes: one image per core
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            failures = list(pool.map(lambda job: _make_variants(job[2], job[3], config.images.quality), resizes))
        for (src, users, _, _, made), exc in zip(resizes, failures):
            if exc is not None:
                _unreadable(src, users, exc, problems)
                del result.infos[src], result.measured[src]
                for rel in made:
                    result.files.pop(rel, None)
    result.key = h.hexdigest()[:16]
    return result


def _make_variants(path: Path, todo: list, quality: int) -> OSError | None:
    """Make one image's variants, widest first. Each width is resized once for all its formats,
    and a width at most half of one already made is resized from that one (LANCZOS from twice
    the size loses nothing visible, and costs a third of resizing the original again)."""
    from PIL import Image as PILImage
    try:
        with PILImage.open(path) as im:
            made: dict[tuple[int, str], object] = {}  # (width, mode) -> the resized pixels
            for w, hh, fmt, cached in sorted(todo, key=lambda job: -job[0]):
                mode = "RGB" if fmt in ("JPEG", "WEBP") and im.mode not in ("RGB", "L") else im.mode
                small = made.get((w, mode))
                if small is None:
                    source = min((done for (width, m), done in made.items() if m == mode and width >= 2 * w),
                                 key=lambda done: done.width, default=None)
                    if source is None:
                        source = im.convert(mode) if mode != im.mode else im
                    small = made[(w, mode)] = source.resize((w, hh), PILImage.LANCZOS)
                _save(small, fmt, quality, cached)
    except OSError as exc:
        return exc
    return None


def _unreadable(src: str, users: list, exc: Exception, problems: list[Problem]) -> None:
    for article, line, _ in users or [(None, None, "")]:
        problems.append(Problem(article.source if article else "site.toml", f"image {src} cannot be read: {exc}",
                                line, "replace it with a JPEG, PNG or WebP file"))


def _save(small, fmt: str, quality: int, target: Path) -> None:
    """Write the resized image as fmt to target, through a temporary file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    options = {"quality": quality} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    if fmt == "JPEG":
        options.update(optimize=True, progressive=True)
    small.save(tmp, fmt, **options)
    tmp.replace(target)
