"""A visitor never sees a traceback: Streamlit is told to show none, the app says one sentence in the
visitor's language, and the server log keeps the whole traceback."""

import logging
import tomllib

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from components.texts import translate
from factories.app import ROOT


def test_config_hides_error_details_from_visitors():
    with open(ROOT / ".streamlit" / "config.toml", "rb") as handle:
        client = tomllib.load(handle)["client"]
    assert client["showErrorDetails"] == "none"
    assert client["showErrorDetails"] in {option.value for option in config.ShowErrorDetailsConfigOptions}


def _failing_page():
    import streamlit as st

    from components import i18n

    i18n.init_language()
    st.title("x")
    raise RuntimeError("SELECT password_hash FROM app_user")  # what must never reach the browser


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unexpected_error_shows_a_sentence_and_the_log_keeps_the_traceback(lang):
    records = _Records()
    logger = logging.getLogger("streamlit.error_util")
    logger.addHandler(records)
    try:
        at = AppTest.from_function(_failing_page, default_timeout=30)
        at.query_params["lang"] = lang
        at.run()
    finally:
        logger.removeHandler(records)
    assert [e.value for e in at.error] == [translate("error.page_failed", lang)]
    # Streamlit's box stays (so page tests still see the failure), redacted: no type, message or trace
    assert len(at.exception) == 1
    box = at.exception[0].proto
    shown = " ".join([box.type, box.message, *box.stack_trace] + [str(getattr(e, "value", "")) for e in at.main])
    assert "password_hash" not in shown and "RuntimeError" not in shown
    logged = [r for r in records.records if r.exc_info and isinstance(r.exc_info[1], RuntimeError)]
    assert logged and "password_hash" in str(logged[0].exc_info[1])
