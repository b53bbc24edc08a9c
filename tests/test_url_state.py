"""One way to keep a widget in the URL (components.url_state); the pages' own URL tests drive it through AppTest."""

from components import url_state


def test_a_value_is_written_as_the_url_reads_it():
    assert url_state.as_text(None) is None and url_state.as_text(False) is None and url_state.as_text("") is None
    assert url_state.as_text(True) == "1" and url_state.as_text(2026) == "2026" and url_state.as_text("open") == "open"
    assert url_state.as_text("all", empty=(*url_state.EMPTY, "all")) is None
    assert url_state.as_text(0) == "0"  # a zero is a value, not an empty widget
