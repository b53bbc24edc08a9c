"""House rules that keep the app safe to change: no Streamlit below the UI, every page guarded."""

import ast
import re

from components.registry import PAGES
from factories.app import ROOT


def test_db_layer_imports_no_streamlit():
    offenders = []
    for path in (ROOT / "db").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "streamlit" or n.startswith("streamlit.") or n.startswith("streamlit_") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"db/ must not import Streamlit: {offenders}"


def test_every_page_file_is_registered_and_starts_with_the_shell():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    registered = {spec.path for spec in PAGES.values() if spec.path.startswith("pages/")}
    assert files == registered, f"unregistered: {files - registered}, missing: {registered - files}"
    for spec in PAGES.values():
        source = (ROOT / spec.path).read_text(encoding="utf-8")
        tree = ast.parse(source)
        first_call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
        assert ast.unparse(first_call) == f"shell.page('{spec.key}')", f"{spec.path} must begin with shell.page"


def test_no_st_navigation_beside_pages_folder():
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "components").rglob("*.py")]:
        assert not re.search(r"\bst\.navigation\(", path.read_text(encoding="utf-8")), path


def test_sidebar_navigation_hidden():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^showSidebarNavigation\s*=\s*false", config, re.M)


def test_no_forced_garbage_collection_after_each_run():
    """Streamlit's post-run gc.collect holds the GIL 110-280 ms with the app loaded, delaying the page's last
    elements by as much (README, issue 20's account page): off, under the option's real name."""
    import tomllib

    from streamlit import config as st_config

    assert "runner.postScriptGC" in st_config._config_options_template
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["runner"]["postScriptGC"] is False


def _offenders(pattern: str, allowed: set[str]) -> list[str]:
    found = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "components").rglob("*.py")]:
        name = str(path.relative_to(ROOT))
        if name not in allowed and re.search(pattern, path.read_text(encoding="utf-8")):
            found.append(name)
    return found


def test_the_url_is_kept_only_through_url_state():
    """One way to keep a view in the URL: components/url_state.py (write, read, get, from_widget)."""
    assert not _offenders(r"\bst\.query_params\b", {"components/url_state.py"})


def test_downloads_are_offered_only_through_tables():
    """One way to offer a file, tables.download_button, which reruns nothing on a press (why: its docstring)."""
    assert not _offenders(r"(?<!tables)\.download_button\(", {"components/tables.py"})


def test_caches_are_made_only_through_caching():
    """One way to cache a reader, so that a write clears what it changed: components/caching.py."""
    assert not _offenders(r"st\.cache_data\(|@st\.cache_data\b", {"components/caching.py"})


def test_the_readmes_page_names_are_the_menus():
    """"What is where" names each page as the menu does (项目全流程, not 项目管理)."""
    from components.texts import translate

    titles = {translate(spec.title, "zh") for spec in PAGES.values()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What is where", 1)[1].split("\n## ", 1)[0]
    named = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if len(cells) != 3 or cells[0] in ("area", "---"):
            continue
        pages = re.sub(r"\([^()]*(?:\([^()]*\)[^()]*)*\)", "", cells[1])  # the notes in brackets
        named |= {name.strip() for name in re.split(r",| and ", pages) if name.strip()}
    assert len(named) > 30 and not named - titles, sorted(named - titles)


def test_every_select_says_choose_in_the_users_language():
    """Streamlit words an empty select "Choose an option" in English whatever the page's language: every
    selectbox and multiselect passes its own placeholder (a translated text, or the label of its None option)."""
    missing = []
    for path in (ROOT / "components").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("selectbox", "multiselect")
                    and not any(k.arg in ("placeholder", None) for k in node.keywords)):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not missing, f"selects without a placeholder: {missing}"
