"""One way to cache a reader: `@cached("<area>")` caches it (st.cache_data) and files it under its area;
after a write the page calls `clear("<area>")`, which empties that area's readers and those of every area
that depends on it. The overview declares that it depends on the four areas, so no area clears it by
name. Readers take store.url() first, so an entry never serves another database."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

import streamlit as st

_READERS: dict[str, list] = defaultdict(list)
# area -> the areas whose writes change what it shows
DEPENDS_ON: dict[str, set[str]] = defaultdict(set)


def cached(*areas: str, ttl: int = 600, max_entries: int | None = None) -> Callable:
    """Cache a reader and file it under `areas` (a reader built from two areas' rows names both).
    An area may have parts ("voting.votes"): clearing "voting" clears its parts too."""

    def wrap(reader: Callable) -> Callable:
        cached_reader = st.cache_data(ttl=ttl, show_spinner=False, max_entries=max_entries)(reader)
        for area in areas:
            _READERS[area].append(cached_reader)
        return cached_reader

    return wrap


def depends(area: str, *on: str) -> None:
    """`area` shows figures built from the rows of `on`: a write there clears it too."""
    DEPENDS_ON[area].update(on)


def _cleared_by(area: str) -> set[str]:
    hit = {name for name in _READERS if name == area or name.startswith(area + ".")}
    top = area.split(".")[0]
    hit |= {name for name, sources in DEPENDS_ON.items() if top in sources or area in sources}
    return hit


def clear(area: str) -> None:
    """After a successful write in `area`: every figure it, its parts and its dependants show may have changed."""
    for name in _cleared_by(area):
        for reader in _READERS[name]:
            reader.clear()


def readers(area: str) -> list:
    """The readers filed under `area` exactly (for tests)."""
    return list(_READERS[area])
