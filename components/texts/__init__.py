"""Every user-visible string, in Chinese and English: one module per area in this package, merged here.

Each module holds TEXTS = {key: (中文, English)}. `translate` is pure so db-layer error codes and tests
can use it without Streamlit.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

LANGS = ("zh", "en")
CATALOG: dict[str, tuple[str, str]] = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _texts = importlib.import_module(f"{__name__}.{_info.name}").TEXTS
    _overlap = CATALOG.keys() & _texts.keys()
    assert not _overlap, f"duplicate text keys in {_info.name}: {_overlap}"
    CATALOG.update(_texts)


# English plurals: "{n} {n|project is|projects are}" picks the first form when n is 1 (an int or a
# formatted number such as "1"), the second otherwise. Chinese needs none.
PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _is_one(value) -> bool:
    return str(value).strip() in ("1", "1.0")


def translate(key: str, lang: str, **params) -> str:
    entry = CATALOG.get(key)
    if entry is None:
        return key  # visible in the UI and caught by the catalogue test
    text = entry[LANGS.index(lang) if lang in LANGS else 0]
    if not params:
        return text
    text = PLURAL.sub(lambda m: m.group(2) if _is_one(params.get(m.group(1))) else m.group(3), text)
    return text.format(**params)
