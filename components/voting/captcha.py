"""The check before a code is sent: an image CAPTCHA, or for whoever cannot read it (poor sight, a
screen reader) a small sum in text. The answer stays on the server (session state), and a new
challenge of the same kind is drawn after every attempt, right or wrong. The sum is easier for a
script than the picture; the per-number and per-address send throttles (db/voting/codes.py) bound
what either lets through."""

from __future__ import annotations

import hmac
import secrets
import unicodedata

import streamlit as st
from captcha.image import ImageCaptcha

from components.i18n import t

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: readable on a small screen
LENGTH = 4
ANSWER_KEY = "vote_captcha_answer"
MODE_KEY = "vote_captcha_mode"  # image | sum
_IMAGE_KEY = "vote_captcha_image"
_SUM_KEY = "vote_captcha_sum"
_TERMS = range(2, 20)


def mode() -> str:
    return st.session_state.get(MODE_KEY, "image")


def draw() -> None:
    """A fresh challenge of the current kind (also the refresh buttons' callback)."""
    if mode() == "sum":
        a, b = secrets.choice(_TERMS), secrets.choice(_TERMS)
        op = secrets.choice("+-")
        a, b = (a, b) if op == "+" or a >= b else (b, a)  # never a negative answer
        st.session_state[_SUM_KEY] = (a, op, b)
        st.session_state[ANSWER_KEY] = str(a + b if op == "+" else a - b)
        return
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    st.session_state[ANSWER_KEY] = answer
    st.session_state[_IMAGE_KEY] = ImageCaptcha(width=180, height=64).generate(answer).getvalue()


def _switch(to: str) -> None:
    st.session_state[MODE_KEY] = to
    draw()


def show() -> str:
    """The challenge and its buttons; returns the label of the answer field, which for the sum holds
    the question itself, so a screen reader reads it out on reaching the field."""
    if ANSWER_KEY not in st.session_state or (_SUM_KEY if mode() == "sum" else _IMAGE_KEY) not in st.session_state:
        draw()
    if mode() == "sum":
        a, op, b = st.session_state[_SUM_KEY]
        st.button(t("vote.captcha_new_sum"), key="vote_captcha_refresh", on_click=draw, icon=":material/refresh:")
        st.button(t("vote.captcha_to_image"), key="vote_captcha_mode_switch", on_click=_switch, args=("image",),
                  icon=":material/image:")
        return t("vote.captcha_sum_plus" if op == "+" else "vote.captcha_sum_minus", a=a, b=b)
    st.image(st.session_state[_IMAGE_KEY], width=180, alt=t("vote.captcha_alt"))
    st.button(t("vote.captcha_refresh"), key="vote_captcha_refresh", on_click=draw, icon=":material/refresh:")
    st.button(t("vote.captcha_to_sum"), key="vote_captcha_mode_switch", on_click=_switch, args=("sum",),
              icon=":material/calculate:")
    return t("vote.captcha")


def passed(typed: str | None) -> bool:
    """Compare with the stored answer (letters in any case; digits typed full-width are the same
    digits), then draw a new challenge of the same kind whatever the result."""
    expected = st.session_state.pop(ANSWER_KEY, None)
    draw()
    given = unicodedata.normalize("NFKC", typed or "").strip().upper()
    # as bytes: compare_digest refuses str holding anything but ASCII (a typed 中文 would raise)
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
