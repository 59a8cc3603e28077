"""Clean ASCII slugs for titles, tags and categories."""

from __future__ import annotations

import slugify as _slugify


def slugify(text: str, max_length: int = 80) -> str:
    """'Bitcoin (BTC)' -> 'bitcoin-btc'; transliterates, never returns path characters."""
    return _slugify.slugify(str(text), max_length=max_length, word_boundary=True, save_order=True)
