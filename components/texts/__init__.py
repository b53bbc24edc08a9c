"""Every user-visible string, in Chinese and English, one module per area merged here.

Each entry is key -> (中文, English). `translate` is pure so db-layer error codes and tests can use
it without Streamlit.
"""

from __future__ import annotations

from components.texts import common, org, users

LANGS = ("zh", "en")
CATALOG: dict[str, tuple[str, str]] = {}
for _module in (common, org, users):
    _overlap = CATALOG.keys() & _module.TEXTS.keys()
    assert not _overlap, f"duplicate text keys: {_overlap}"
    CATALOG.update(_module.TEXTS)


def translate(key: str, lang: str, **params) -> str:
    entry = CATALOG.get(key)
    if entry is None:
        return key  # visible in the UI and caught by the catalogue test
    text = entry[LANGS.index(lang) if lang in LANGS else 0]
    return text.format(**params) if params else text
