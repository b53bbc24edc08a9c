"""Both languages complete; ?lang=en and the sidebar switch; Babel formatting for each language."""

import re
from datetime import date, datetime, timezone

import pytest

from components import formatting
from components.registry import PAGES
from components.texts import CATALOG, translate
from factories.app import ROLES, new_app, signed_in

CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_text_has_both_languages():
    for key, (zh, en) in CATALOG.items():
        assert zh.strip() and en.strip(), key
        assert CJK.search(zh) or key.startswith("lang.") or zh == en, f"{key}: Chinese text missing"
        if not key.startswith(("lang.", "org.type.", "org.duty.")):
            assert not CJK.search(en), f"{key}: English text holds Chinese"


def test_placeholders_match_between_languages():
    for key, (zh, en) in CATALOG.items():
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def _labels(at) -> list[str]:
    """UI chrome only: titles, headings, widget labels, metric labels, buttons, table headings."""
    texts = [e.value for e in (*at.title, *at.subheader, *at.header)]
    texts += [w.label for kind in ("text_input", "selectbox", "radio", "date_input", "button", "metric")
              for w in at.get(kind)]
    for frame in at.dataframe:
        texts += [str(c) for c in frame.value.columns]
    return texts


@pytest.mark.parametrize("role", ROLES)
def test_english_pages_have_no_untranslated_labels(app_db, role):
    at = signed_in(role, query={"lang": "en"})
    for spec in PAGES.values():
        if spec.roles is not None and role not in spec.roles:
            continue
        at.switch_page(spec.path).run()
        assert not at.exception
        leftovers = [text for text in _labels(at) if CJK.search(text) and not _is_data(text)]
        assert not leftovers, f"{spec.path} as {role}: {leftovers}"


def _is_data(text: str) -> bool:
    """Names of places and people are data and stay Chinese (breadcrumb buttons, greetings)."""
    if text == translate("lang.label", "en"):
        return True  # deliberately bilingual, so either reader finds the switch
    return text.endswith(("区", "街道", "社区", "网格", "镇", "辖区")) or text.startswith("Welcome")


def test_query_parameter_and_sidebar_switch(app_db):
    at = new_app({"lang": "en"}).run()
    assert at.button[0].label == "Sign in"
    at.sidebar.radio(key="lang_choice").set_value("zh").run()
    assert at.button[0].label == "登录"
    assert "lang" not in at.query_params
    at.sidebar.radio(key="lang_choice").set_value("en").run()
    assert at.button[0].label == "Sign in" and at.query_params["lang"] in ("en", ["en"])


def test_language_survives_page_switch(app_db):
    at = signed_in("admin", query={"lang": "en"})
    at.query_params.clear()
    at.switch_page("pages/users.py").run()
    assert at.title[0].value == "Users"


def test_money_in_wan_yuan_and_the_headline_forms():
    assert formatting.wan_yuan(97_300_000, "zh") == "9,730 万元"
    assert formatting.wan_yuan(16_630_000, "zh") == "1,663 万元"
    assert formatting.wan_yuan(12_345, "zh") == "1.23 万元"
    assert formatting.wan_yuan(None, "zh") == "—"
    # English reads yuan with K/M/B, never "× 10k yuan"
    assert formatting.wan_yuan(97_300_000, "en") == "¥97.3M"
    assert formatting.wan_yuan(16_630_000, "en") == "¥16.63M"
    assert formatting.wan_yuan(372_500, "en") == "¥372.5K"
    # a headline card: whole 万元 from 100万 below 1 亿, 亿元 from 1 亿 (the rounding decides), yuan below 1 万
    cards = {97_300_000: ("9,730 万元", "¥97.3M"), 99_990_000: ("9,999 万元", "¥100M"),
             99_994_999: ("9,999 万元", "¥100M"), 99_995_000: ("1 亿元", "¥100M"), 100_000_000: ("1 亿元", "¥100M"),
             162_000_000: ("1.62 亿元", "¥162M"), 1_234_567_890: ("12.35 亿元", "¥1.23B"),
             16_630_000: ("1,663 万元", "¥16.6M"), 5_000: ("5,000 元", "¥5K"), 850: ("850 元", "¥850"),
             999_999: ("100 万元", "¥1M"), 281_100: ("28.11 万元", "¥281K"), 12_345: ("1.23 万元", "¥12.3K"),
             994_999: ("99.5 万元", "¥995K"), 1_004_999: ("100 万元", "¥1M"), 0: ("0 万元", "¥0"), -97_300_000: ("-9,730 万元", "-¥97.3M"),
             -162_000_000: ("-1.62 亿元", "-¥162M")}
    for yuan, (zh, en) in cards.items():
        assert (formatting.headline_money(yuan, "zh"), formatting.headline_money(yuan, "en")) == (zh, en), yuan
    assert formatting.headline_money(None, "en") == "—"
    assert formatting.money_delta(97_300_000, "zh") == "+9,730 万元"
    assert formatting.money_delta(-1_200_000, "en") == "-¥1.2M"
    assert formatting.money_delta(0, "zh") == "0 万元" and formatting.money_delta(None, "zh") is None


def test_dates_and_numbers_follow_the_language():
    assert formatting.day(date(2019, 7, 23), "zh") == "2019年7月23日"
    assert formatting.day(date(2019, 7, 23), "en") == "Jul 23, 2019"
    # stored UTC, shown in the district's time zone (UTC+8)
    assert formatting.moment(datetime(2019, 7, 23, 1, 30, tzinfo=timezone.utc), "zh").startswith("2019年7月23日 09:30")
    assert formatting.percent(0.8766, "zh") == "87.7%"
    assert formatting.number(312000, "en") == "312,000"


def test_unknown_key_is_visible():
    assert translate("no.such.key", "zh") == "no.such.key"


def test_english_plurals_follow_the_count():
    assert translate("vote.error.code_wrong", "en", remaining=1) == "Wrong code; 1 try left."
    assert translate("vote.error.code_wrong", "en", remaining=4) == "Wrong code; 4 tries left."
    assert translate("vote.error.code_wrong", "zh", remaining=1) == "验证码错误，还可尝试 1 次。"
    assert translate("common.rows", "en", n=1) == "1 row" and translate("common.rows", "en", n=0) == "0 rows"
    assert translate("ov.alert.stage_overdue", "en", n=1) == "1 project is past its stage's time limit (all years)"
    assert translate("ov.alert.stage_overdue", "en", n=3) == "3 projects are past their stage's time limit (all years)"
    assert translate("vote.tally_total", "en", n="1").endswith("1 vote in all")  # a formatted number counts too
    assert translate("vote.tally_total", "en", n="1,001").endswith("1,001 votes in all")


PLURAL_NOUNS = ("rows", "projects", "votes", "cases", "grids", "days", "tries", "points", "items", "flags",
                "evaluators", "scorecards", "problems", "months", "seconds", "units", "reports", "characters",
                "organizations", "evaluations")


def test_no_english_text_says_one_of_a_plural():
    """Each text with its numbers set to 1 (counts that are never 1, like a 200-row cap, are skipped)."""
    never_one = {"grid.import.too_many", "eval.first_rows", "eval.result.trimmed", "vote.code_sent",
                 "vote.flag.burst_reason", "eval.export.result_line", "ov.unit.points",
                 "eval.project.open_round", "vote.flag.night_reason"}  # a round's name, a share: not counts
    pattern = re.compile(r"\b1 (?:[a-z-]+ ){0,2}(?:" + "|".join(PLURAL_NOUNS) + r")\b")
    wrong = []
    for key, (_zh, en) in CATALOG.items():
        names = set(re.findall(r"{(\w+)}", en))
        if names and key not in never_one and pattern.search(translate(key, "en", **dict.fromkeys(names, 1))):
            wrong.append(key)
    assert not wrong, wrong
    for key, (_zh, en) in CATALOG.items():  # a plural choice names one of the text's own numbers
        for name in re.findall(r"{(\w+)\|", en):
            assert f"{{{name}}}" in en, key


def test_a_refusal_quoting_typed_text_shows_it_as_text():
    """error_text goes to st.error (markdown): a display name or title quoted in a refusal stays text."""
    from components.i18n import error_text
    from db.errors import DomainError
    from db.validation import InvalidInput

    typed = "**粗体** <b>x</b> [点我](http://evil.example)"
    single = error_text(DomainError("eval.error.already_assigned", field="evaluator_ids", name=typed), "eval.field.")
    several = error_text(InvalidInput([("name", "eval.error.template_locked", {"name": typed, "version": 2})]),
                         "eval.field.")
    for text in (single, several):
        assert "粗体" in text and "点我" in text
        assert "**" not in text and "<b>" not in text and "](" not in text and "http://" not in text
