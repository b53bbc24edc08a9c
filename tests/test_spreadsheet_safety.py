"""Spreadsheet formula injection (OWASP "CSV injection"): text typed by users must reach Excel as text.

The shared writer (components/exports.py) is tested cell by cell; then every Excel/CSV download the
registry's pages offer is produced from a database whose text columns all begin with = + - @ tab or
CR, and no file may hold a formula or a CSV field Excel would evaluate."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import text

from components import exports, formatting
from components.registry import PAGES
from db import clock, users
from db.grids import imports as grid_import
from db.grids.reports import ENTERED
from db.grids.rules import current_month
from factories.app import signed_in
from factories.documents import sheet_problems

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(1,1)", "\t=1+1", "\r=1+1"]


def _formula_cells(data: bytes) -> list[str]:
    """Cells stored as formulas, seen two ways: openpyxl's type and the raw sheet XML's <f> element."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = [f"{sheet.title}!{cell.coordinate}" for sheet in book.worksheets
             for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        found += [name for name in archive.namelist()
                  if name.startswith("xl/worksheets/") and re.search(rb"<f[ >/]", archive.read(name))]
    return found


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the writer -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_keeps_each_dangerous_text_as_a_string_shown_as_typed(value):
    data = exports.excel_bytes({"表": pd.DataFrame({"名称": [value, "普通文本"], value: [1, 2]})})
    assert _formula_cells(data) == []
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for cell in (sheet["A2"], sheet["B1"]):  # a body cell and a heading
        assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)
    assert (sheet["A3"].value, sheet["A3"].quotePrefix) == ("普通文本", False)


def test_xlsx_numbers_and_dates_stay_numbers():
    frame = pd.DataFrame({"n": [-5, 3], "x": [-1.25, 2.5], "d": [Decimal("-7.5"), Decimal("1")],
                          "day": [dt.date(2026, 3, 1), dt.date(2026, 3, 2)]})
    sheet = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes({"s": frame}))).active
    assert [(c.value, c.data_type) for c in sheet[2][:3]] == [(-5, "n"), (-1.25, "n"), (-7.5, "n")]
    assert sheet["D2"].is_date and sheet["D2"].value.date() == dt.date(2026, 3, 1)
    assert not any(c.quotePrefix for row in sheet.iter_rows() for c in row)


def test_workbooks_built_cell_by_cell_are_neutralised_on_save():
    book = Workbook()
    book.active.append(["=1+1", "-5", -5, "@x", "ok"])
    assert book.active["A1"].data_type == "f"  # what openpyxl does unaided
    data = exports.workbook_bytes(book)
    assert _formula_cells(data) == []
    row = openpyxl.load_workbook(io.BytesIO(data)).active[1]
    assert [(c.value, c.data_type, c.quotePrefix) for c in row] == [
        ("=1+1", "s", True), ("-5", "s", True), (-5, "n", False), ("@x", "s", True), ("ok", "s", False)]


def test_user_text_in_a_sheet_name_is_accepted():
    data = exports.excel_bytes({'=HYPERLINK("http://evil.example/a","x")-网格': pd.DataFrame({"a": [1]})})
    title = openpyxl.load_workbook(io.BytesIO(data)).active.title
    assert len(title) <= 31 and not re.search(r"[\[\]:*?/\\]", title)


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_prefixes_each_dangerous_text_with_an_apostrophe(value):
    rows = _csv_rows(exports.csv_bytes(pd.DataFrame({value: [value, "普通文本", None]})))
    assert rows == [["'" + value], ["'" + value], ["普通文本"], [""]]


def test_csv_numbers_stay_numbers():
    frame = pd.DataFrame({"n": [-5, 3], "x": [-1.25, 2.5], "d": [Decimal("-7.5"), Decimal("1")],
                          "i": pd.array([-2, None], dtype="Int64"), "t": ["-", "a-b"]})
    rows = _csv_rows(exports.csv_bytes(frame))
    assert rows[1] == ["-5", "-1.25", "-7.5", "-2", "'-"] and rows[2] == ["3", "2.5", "1", "", "a-b"]


# --- every download the pages offer ---------------------------------------------------------------

# (table, text column) shown somewhere in a table or file; codes, states and keys stay intact
TEXT_COLUMNS = [
    ("org_unit", "name"), ("grid_staff", "name"), ("grid_staff", "duty"), ("social_org", "name"),
    ("org_rating", "note"), ("catalogue_category", "name"), ("catalogue_category", "name_en"),
    ("catalogue_item", "name"), ("catalogue_item", "description"), ("project", "title"), ("project", "batch"),
    ("project", "buyer"), ("project", "off_catalogue_service"), ("project", "summary"), ("stage_event", "note"),
    ("score_template", "name"), ("score_template", "name_en"), ("template_indicator", "name"),
    ("template_indicator", "name_en"), ("evaluation", "agency"), ("score", "comment"),
    ("rectification", "finding"), ("rectification", "owner"), ("rectification", "evidence"),
    ("app_user", "display_name"), ("audit_log", "entity_id"), ("campaign", "title"), ("vote_case", "title"),
    ("vote_case", "organization"), ("vote", "void_reason"), ("indicator", "name"), ("indicator", "name_en"),
    ("proposal", "title"), ("proposal", "answer"), ("council_meeting", "place"), ("council_item", "note"),
    ("community_fund", "name"), ("community_fund", "custodian"), ("community_fund", "managers"),
    ("fund_entry", "donor_name"), ("fund_entry", "purpose"), ("fund_entry", "reason"),
    ("supervisor", "name"), ("supervisor", "qualification"),
    ("grant_round", "name"), ("grant_application", "title"), ("grant_application", "decision_reason"),
    ("grant_activity", "place"), ("grant_activity", "problems"),
]

# page -> the downloads (file name endings) it must offer; a missing one fails the test
EXPECTED = {
    "home": {"ov_workbook"},
    "projects": {"pipe_xlsx", "pipe_csv"},
    "social_orgs": {"pipe_org_xlsx", "pipe_org_csv", "org_export"},
    "catalogue": {"pipe_catalogue_xlsx", "pipe_catalogue_csv"},
    "compliance": {"pipe_compliance_xlsx", "pipe_compliance_csv"},
    "eval_results": {"res_list_xlsx", "res_list_csv", "res_league_xlsx", "res_league_csv", "score_sheet"},
    "evaluations": {"ev_list_xlsx", "ev_list_csv"},
    "rectifications": {"rect_list_xlsx", "rect_list_csv"},
    "grid_dashboard": {"grid_children_xlsx", "grid_children_csv", "grid_reporting_xlsx", "grid_reporting_csv",
                       "grid_outliers_xlsx", "grid_outliers_csv"},
    "grid_import": {"grid_template_xlsx", "grid_template_csv", "grid_import_errors_xlsx", "grid_import_errors_csv"},
    "org_units": {"org_children_xlsx", "org_children_csv", "org_template", "org_export", "org_roster"},
    "users": {"users_template"},
    "vote_review": {"vote_results_xlsx"},
    "audit_log": {"audit_xlsx", "audit_csv"},
    "proposals": {"cm_list_xlsx", "cm_list_csv"},
    "council": {"cc_list_xlsx", "cc_list_csv"},
    "funds": {"fund_list_xlsx", "fund_list_csv", "fund_ledger_dl_xlsx", "fund_ledger_dl_csv"},
    "supervisors": {"sup_list_xlsx", "sup_list_csv"},
    "supervisor_draws": {"draw_list_xlsx", "draw_list_csv"},
    "microgrants": {"mg_rounds_dl_xlsx", "mg_apps_dl_xlsx", "mg_sources_dl_xlsx", "mg_paid_dl_xlsx", "mg_acts_dl_xlsx"},
}
# files built from fixed examples, not from anything a user typed: they must hold no dangerous cell at all
STATIC = {"org_template", "users_template"}


def _make_hostile(engine) -> None:
    """Every listed text column begins with one of the dangerous prefixes (cycled by row), keeping the
    original text after it so names stay distinct."""
    cases = " ".join(f"WHEN {i} THEN :p{i}" for i in range(len(HOSTILE)))
    params = {f"p{i}": value + "·" for i, value in enumerate(HOSTILE)}
    with engine.begin() as conn:
        for table, column in TEXT_COLUMNS:
            conn.execute(text(f"UPDATE {table} SET {column} = (CASE rowid % {len(HOSTILE)} {cases} END) "
                              f"|| COALESCE({column}, '')"), params)


@pytest.fixture
def captured(monkeypatch):
    """Every spreadsheet download a page run offers, built right away (the callables bind what they need
    during the run): {(page, widget key, file name): bytes}."""
    import streamlit
    from streamlit.elements.widgets.button import ButtonMixin

    files, current = {}, {"page": None}
    original = ButtonMixin.download_button

    def capture(self, label, data, file_name=None, *args, **kwargs):
        key = kwargs.get("key")
        if str(file_name).endswith((".xlsx", ".csv")):
            if str(key).startswith("xlsx_"):
                key = "score_sheet"  # its key carries the evaluation id
            files[(current["page"], key, file_name)] = data() if callable(data) else data
        return original(self, label, data, file_name, *args, **kwargs)

    main = streamlit.download_button.__self__
    monkeypatch.setattr(ButtonMixin, "download_button", capture)
    monkeypatch.setattr(streamlit, "download_button", lambda *a, **k: capture(main, *a, **k))
    return files, current


def test_no_download_holds_a_formula_whatever_users_typed(app_db, captured):
    files, current = captured
    _make_hostile(app_db)
    with app_db.connect() as conn:
        evaluation = conn.execute(text(
            "SELECT e.id FROM evaluation e JOIN score s ON s.assignment_id IN "
            "(SELECT a.id FROM assignment a WHERE a.evaluation_id = e.id) WHERE e.status = 'completed' "
            "ORDER BY e.id LIMIT 1")).scalar_one()
        grid = conn.execute(text("SELECT code FROM org_unit WHERE level = 'grid' ORDER BY code LIMIT 1")).scalar_one()
        fund = conn.execute(text("SELECT fund_id FROM fund_entry WHERE reverses_id IS NOT NULL LIMIT 1")).scalar_one()

    current["page"] = "home"  # admins land on the overview
    at = signed_in("admin")
    # every page an admin may open (files of pages not in EXPECTED are checked too), then the states
    # that hold more downloads: an open evaluation, each grid tab, a single grid
    visits = [(key, {}) for key, spec in PAGES.items() if key != "home" and (spec.roles is None or "admin" in spec.roles)]
    visits += [("eval_results", {"year": "all", "evaluation": str(evaluation)}),
               ("grid_dashboard", {"tab": "children"}), ("grid_dashboard", {"tab": "reporting"}),
               ("grid_dashboard", {"tab": "outliers"}), ("grid_dashboard", {"unit": grid, "tab": "months"}),
               ("funds", {"fund": str(fund)})]  # a ledger with a reversal's reason
    for key, query in visits:
        current["page"] = key
        at.switch_page(PAGES[key].path)
        at.query_params.clear()
        at.query_params.update(query)
        at.run()
        assert not at.exception, (key, at.exception)
        if key == "eval_results":
            at.session_state["res_tab"] = "机构排名"  # what clicking the tab does
            at.run()
            assert not at.exception, (key, at.exception)

    # the import's error report names the file's own headings: upload a bad file headed by hostile names
    current["page"] = "grid_import"
    at.switch_page(PAGES["grid_import"].path).run()
    at.selectbox(key="grid_import_period").select(current_month()).run()
    bad = grid_import.template(app_db, actor=users.actor_for(app_db, "admin"), period=current_month()).head(3)
    # the import strips a heading's leading tab or CR, so those columns go under their codes instead
    bad.columns = [*bad.columns[:2], *(code if name.startswith(("\t", "\r")) else name
                                      for code, name in zip(ENTERED, bad.columns[2:]))]
    bad = bad.astype(object)
    column = next(c for c in bad.columns[2:] if c.startswith(("=", "+", "-", "@")))
    bad.loc[bad.index[1], column] = -1
    # CRLF rows, so the heading holding a CR stays one quoted field
    at.get("file_uploader")[0].upload("bad.csv", bad.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"), "text/csv")
    at.run()
    at.button(key="grid_import_button").click().run()
    assert not at.exception and at.error, "the bad file was rejected with its error report"

    offered = {}
    for page, key, _ in files:
        offered.setdefault(page, set()).add(key)
    assert {page: EXPECTED[page] - offered.get(page, set()) for page in EXPECTED} == {p: set() for p in EXPECTED}

    today = formatting.day(clock.today(), "zh")
    for (page, key, name), data in files.items():
        if name.endswith(".xlsx"):
            assert _formula_cells(data) == [], (page, key)
            book = openpyxl.load_workbook(io.BytesIO(data))
            # and it prints as officials file it (A4, one page wide, headings repeated, a title row naming the
            # scope and the day, 万元 as #,##0.00, dates as dates), whatever users typed
            assert sheet_problems(book, today) == [], (page, key)
            risky = [c for s in book.worksheets for row in s.iter_rows() for c in row if exports.is_dangerous(c.value)]
            if key in STATIC:
                assert not risky, (page, key)
                continue
            assert risky, f"{page}/{key}: no hostile text reached the file, so it proves nothing"
            assert all(c.data_type == "s" and c.quotePrefix for c in risky), (page, key)
        else:
            fields = [field for row in _csv_rows(data) for field in row]
            assert not [f for f in fields if f.startswith(PREFIXES)], (page, key)
            assert any(f.startswith("'") and f[1:].startswith(PREFIXES) for f in fields), (page, key)
