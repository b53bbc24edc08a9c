"""Showing user-supplied text inside markdown-rendering elements without it becoming markup."""

from __future__ import annotations

import re

# CommonMark lets every ASCII punctuation character be backslash-escaped; escaping all of them also
# defuses Streamlit's own :directives: and $math$. "<" and ">" become entities so no tag survives.
_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;=?@\[\\\]^_`{|}~])")
# Streamlit's markdown still autolinks bare "https://…", "www.…" and "name@host" after escaping
# (seen in Chromium); an invisible word joiner splits those patterns, so the text reads the same and
# can never become a link.
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    value = "" if text is None else str(text)
    value = value.replace(":", ":" + WORD_JOINER).replace("@", "@" + WORD_JOINER).replace(".", WORD_JOINER + ".")
    value = _PUNCT.sub(r"\\\1", value)
    return value.replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
