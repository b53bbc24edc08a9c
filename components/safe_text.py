"""Showing user-supplied text inside markdown-rendering elements without it becoming markup."""

from __future__ import annotations

import re

# CommonMark lets every ASCII punctuation character be backslash-escaped; escaping all of them also
# defuses Streamlit's own :directives: and $math$. "<" and ">" become entities so no tag survives.
_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;=?@\[\\\]^_`{|}~])")


def md_escape(text: object) -> str:
    value = "" if text is None else str(text)
    value = _PUNCT.sub(r"\\\1", value)
    return value.replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
