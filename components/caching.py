"""One way to cache a reader: `@cached("<area>")` caches it (st.cache_data) and files it under its area;
after a write the page calls `clear("<area>")`, which empties that area's readers and those of every area
that depends on it. The overview declares that it depends on the four areas, so no area clears it by
name. Readers take store.url() first, so an entry never serves another database."""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from typing import Callable

import streamlit as st

from db.access import Actor

_READERS: dict[str, list] = defaultdict(list)
# area -> the areas whose writes change what it shows
DEPENDS_ON: dict[str, set[str]] = defaultdict(set)


def by_scope(actor: Actor) -> Actor:
    """The actor's role and scope without who they are: the cache key of a reader whose rows are the same
    for everyone of that role in that scope, so the second leader of a district does not pay them again."""
    return dataclasses.replace(actor, user_id=0, username="", display_name="")


def _scoped(value):
    return by_scope(value) if isinstance(value, Actor) else value


def cached(*areas: str, ttl: int = 600, max_entries: int | None = None, per_scope: bool = False) -> Callable:
    """Cache a reader and file it under `areas` (a reader built from two areas' rows names both).
    An area may have parts ("voting.votes"): clearing "voting" clears its parts too. `per_scope`: the
    reader never looks at who the actor is, only at their role and scope, so it is keyed by those
    (by_scope) and one entry serves every user of that scope."""

    def wrap(reader: Callable) -> Callable:
        cached_reader = st.cache_data(ttl=ttl, show_spinner=False, max_entries=max_entries)(reader)
        if per_scope:
            inner = cached_reader

            @functools.wraps(reader)
            def cached_reader(*args, **kwargs):
                return inner(*map(_scoped, args), **{name: _scoped(value) for name, value in kwargs.items()})

            cached_reader.clear = inner.clear
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
