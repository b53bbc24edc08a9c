"""The house's import rules, read from the source: no import cycles (at module level or hidden inside a
function), and no import that goes up a layer (db → nothing above it; the demo data → db only)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("db", "seed_data", "components", "factories", "bench", "docs")
# what each layer may import from the project; pages/ and app.py sit on top and import components only
ALLOWED = {"db": {"db"}, "seed_data": {"db", "seed_data"}, "components": {"db", "seed_data", "components"},
           "factories": {"db", "seed_data", "components", "factories"},
           "bench": {"db", "seed_data", "components", "factories", "bench"}, "docs": {"db", "seed_data", "factories", "docs"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for top in PACKAGES:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules `path` imports anywhere in it; `from pkg import mod` counts as importing pkg.mod."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:  # db.models.Project -> db.models
                name = name.rpartition(".")[0]
            if name and name != own:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def test_the_cycle_finder_finds_a_hidden_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_no_import_goes_up_a_layer():
    wrong = [f"{name} imports {target}" for name, targets in graph().items() for target in targets
             if target.split(".")[0] not in ALLOWED[name.split(".")[0]]]
    assert wrong == []


def test_tests_share_factories_not_each_other():
    """What two test modules (or a test and a benchmark) share lives in factories/, not in a test module
    or conftest: a test module imports no other test module."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tests":
                found.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Import):
                found += [f"{path.name}: import {a.name}" for a in node.names if a.name.split(".")[0] == "tests"]
    assert found == []


def test_pages_import_only_the_shell_and_their_own_area():
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module.split(".")[0] == "components", f"{path.name}: {node.module}"


def test_page_bodies_do_not_import_each_other():
    """What two pages share is a piece of their area (components/<area>/…), not one page's body."""
    bodies = set()
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    for path in scripts:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "components":
                bodies.update(f"{node.module}.{a.name}" for a in node.names)
    edges = graph()
    assert len(bodies) == len(scripts) and bodies <= set(edges)  # app.py and each page, each with its own body
    assert sorted(f"{body} imports {other}" for body in bodies for other in edges[body] & bodies) == []


def test_every_db_area_keeps_its_pure_rules_in_rules_py():
    areas = sorted(p.parent.name for p in (ROOT / "db").glob("*/__init__.py") if p.parent.name not in ("models", "migrations"))
    assert areas == ["community", "funds", "grids", "linkage", "overview", "pipeline", "reminders", "scorecards", "supervisors",
                     "voting"]
    for area in areas:
        rules = ROOT / "db" / area / "rules.py"
        assert rules.exists(), area
        # pure: no engine, no session, no SQL run from here
        assert "db.engine" not in rules.read_text(encoding="utf-8"), area
