"""An image CAPTCHA before a code is sent: the answer stays on the server (session state), and a new
one is drawn after every attempt, right or wrong."""

from __future__ import annotations

import hmac
import secrets

import streamlit as st
from captcha.image import ImageCaptcha

from components.i18n import t

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: readable on a small screen
LENGTH = 4
ANSWER_KEY = "vote_captcha_answer"
_IMAGE_KEY = "vote_captcha_image"


def draw() -> None:
    """A fresh challenge (also the refresh button's callback)."""
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    st.session_state[ANSWER_KEY] = answer
    st.session_state[_IMAGE_KEY] = ImageCaptcha(width=180, height=64).generate(answer).getvalue()


def show() -> None:
    """The picture and a button that draws another one."""
    if ANSWER_KEY not in st.session_state or _IMAGE_KEY not in st.session_state:
        draw()
    st.image(st.session_state[_IMAGE_KEY], width=180)
    st.button(t("vote.captcha_refresh"), key="vote_captcha_refresh", on_click=draw, icon=":material/refresh:")


def passed(typed: str | None) -> bool:
    """Compare with the stored answer (case-insensitive), then draw a new one whatever the result."""
    expected = st.session_state.pop(ANSWER_KEY, None)
    draw()
    given = (typed or "").strip().upper()
    return bool(expected) and len(given) == LENGTH and hmac.compare_digest(given, expected)
