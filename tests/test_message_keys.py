"""No page shows a message key ("pipe.stage.nan") to anyone, in either language; and every key the code
names exists in both languages."""

from __future__ import annotations

import ast
import re

import pandas as pd
import pytest

from components.registry import PAGES
from components.texts import CATALOG, translate
from factories.app import ROLES, ROOT, new_app, signed_in

PREFIXES = sorted({key.split(".")[0] for key in CATALOG})
# a key is prefix.word(.word)*, standing alone: not part of a path, a file name, an address or a URL
KEY_SHAPE = re.compile(r"(?<![\w./@:\-])(?:" + "|".join(map(re.escape, PREFIXES)) + r")(?:\.[a-z0-9_]+)+(?![\w.(/\-])")


FILE_ENDINGS = (".py", ".csv", ".xlsx", ".docx", ".json", ".html", ".png", ".toml", ".db")


def looks_like_keys(text: str) -> list[str]:
    return [key for key in KEY_SHAPE.findall(text) if not key.endswith(FILE_ENDINGS)]  # app.py is a file


def test_the_key_shape_finds_keys_and_spares_ordinary_text():
    assert looks_like_keys("创建 · pipe.stage.nan · —") == ["pipe.stage.nan"]
    assert looks_like_keys("Wrong: vote.error.code_wrong") == ["vote.error.code_wrong"]
    assert not looks_like_keys("app.py · pages/vote.py · admin@org.cn · https://gov.cn/vote.html · 2.5 · 1,000")


# --- what a page shows ----------------------------------------------------------------------------

def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, pd.DataFrame):
        cells = [str(v) for column in value.columns for v in value[column]]  # Arrow gives string dtypes, not object
        return [str(c) for c in value.columns] + [str(i) for i in value.index] + cells
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def _proto_strings(message) -> list[str]:
    """Every string field of an element's protobuf (labels, help, placeholders, options, bodies)."""
    out = []
    for field, value in message.ListFields():
        if field.name in ("id", "form_id", "page_script_hash", "icon", "page", "data", "spec_id"):
            continue
        items = [value] if isinstance(value, str) or hasattr(value, "ListFields") else value
        for item in items if isinstance(items, (list, tuple)) or hasattr(items, "__len__") else ():
            if isinstance(item, str):
                out.append(item)
            elif hasattr(item, "ListFields"):
                out += _proto_strings(item)
    return out


def visible_text(at) -> list[str]:
    """All text an element tree holds: markdown, captions, alerts, labels, options, metrics, tabs,
    expanders, and dataframe headings and cells."""
    texts: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            texts.extend(_proto_strings(proto))
        if getattr(node, "type", None) in ("arrow_data_frame", "dataframe", "table"):
            texts.extend(_strings(node.value))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return texts


def _project_codes(app_db) -> dict[str, str]:
    """A project each role may open (street staff: one of their street's)."""
    from db import users
    from db.pipeline import projects

    codes = {}
    for role in ROLES:
        actor = users.actor_for(app_db, role)
        if role in ("admin", "leader", "street"):
            listed = projects.list_projects(app_db, actor=actor)
            codes[role] = str(listed["code"].iloc[0])
    return codes


def _check(at, where: str, found: dict) -> None:
    assert not at.exception, f"{where}: {at.exception}"
    keys = sorted({key for text in visible_text(at) for key in looks_like_keys(text)})
    if keys:
        found[where] = keys


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_page_shows_a_message_key(app_db, role, lang):
    found: dict[str, list[str]] = {}
    at = signed_in(role, query={"lang": lang}) if role else new_app({"lang": lang}).run()
    _check(at, "home", found)
    for spec in PAGES.values():
        if spec.roles is not None and (role is None or role not in spec.roles):
            continue
        at.switch_page(spec.path).run()
        _check(at, spec.path, found)
    project = _project_codes(app_db).get(role)
    if project:  # the detail with its history, where the creation row has no earlier stage
        at.switch_page("pages/project_detail.py").run()
        at.query_params["project"] = project
        at.run()
        assert at.get("tab"), "the project detail shows its tabs"
        _check(at, f"project_detail?project={project}", found)
    assert not found, f"message keys shown to {role or 'anonymous'} in {lang}: {found}"


# --- what the code names --------------------------------------------------------------------------

CODE_DIRS = ("components", "db", "pages")
WHOLE_KEY = re.compile(r"(?:" + "|".join(map(re.escape, PREFIXES)) + r")(?:\.\w+)+")
ERRORS = {"DomainError", "NotFound", "PermissionDenied", "InvalidInput"}


def _sources():
    files = [ROOT / "app.py"] + [p for d in CODE_DIRS for p in sorted((ROOT / d).rglob("*.py"))]
    for path in files:
        if "texts" in path.parts or "migrations" in path.parts:
            continue  # the catalogue itself, and frozen migrations
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _literal_keys():
    """(where, key) for every string literal shaped like a key, and (where, stem) for every f-string
    that builds a key from a literal stem (f"pipe.stage.{value}" → "pipe.stage.")."""
    literals, stems = [], []
    for path, tree in _sources():
        where = path.relative_to(ROOT)
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                stem = node.values[0].value  # "pipe.stage." or "vote.error.status_not_"
                if isinstance(stem, str) and stem.endswith((".", "_")) and WHOLE_KEY.fullmatch(stem.rstrip("._")):
                    stems.append((f"{where}:{node.lineno}", stem))
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings
                  and WHOLE_KEY.fullmatch(node.value.rstrip("._")) and not node.value.endswith(FILE_ENDINGS)):
                # a literal ending in . or _ is a stem too (field_prefix="field.new_")
                (stems if node.value.endswith((".", "_")) else literals).append((f"{where}:{node.lineno}", node.value))
    return literals, stems


def _error_fields():
    """(where, field) of every domain error raised with a literal field= (error_text names the field)."""
    out = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ERRORS:
                for keyword in node.keywords:
                    if keyword.arg == "field" and isinstance(keyword.value, ast.Constant) and keyword.value.value:
                        out.append((f"{path.relative_to(ROOT)}:{node.lineno}", keyword.value.value))
    return out


def test_every_key_named_in_the_code_exists_in_both_languages():
    literals, stems = _literal_keys()
    assert len(literals) > 500 and len(stems) > 10  # the scan sees the code (a broken scan passes nothing)
    missing = [(where, key) for where, key in literals if key not in CATALOG]
    assert not missing, f"keys used in the code but missing from the catalogue: {missing}"
    unknown_stems = [(where, stem) for where, stem in stems if not any(k.startswith(stem) for k in CATALOG)]
    assert not unknown_stems, f"keys built from a stem no catalogue key has: {unknown_stems}"
    for key, entry in CATALOG.items():
        assert len(entry) == 2 and all(isinstance(text, str) and text.strip() for text in entry), key


def test_every_field_an_error_names_has_a_label():
    fields = _error_fields()
    assert len(fields) > 20
    unlabelled = [(where, field) for where, field in fields
                  if f"field.{field}" not in CATALOG and not any(k.endswith(f".field.{field}") for k in CATALOG)]
    assert not unlabelled, f"error fields without a label in the catalogue: {unlabelled}"


def test_keys_built_from_coded_values_all_exist():
    """The stems above are checked for one key each; the coded values behind the common ones, for all."""
    from components.pipeline import labels as pipeline_labels
    from db.models.voting import THEMES
    from db.pipeline import rules

    for lang in ("zh", "en"):
        for value in (*rules.STATES, None, float("nan"), ""):
            label = pipeline_labels.stage(value, lang)
            assert not looks_like_keys(label) and label, (value, label)
        for value in rules.DOMAINS:
            assert not looks_like_keys(pipeline_labels.domain(value, lang)), value
        for theme in THEMES:
            assert f"vote.theme.{theme}" in CATALOG, theme
    assert pipeline_labels.stage(float("nan"), "en") == "—"
    assert translate("pipe.stage.nan", "en") == "pipe.stage.nan"  # what the history showed before
