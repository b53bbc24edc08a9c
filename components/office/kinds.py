"""Every kind of Word document the app fills from a template, and the command that writes their built-in
templates from the builders: `python -m components.office.kinds` after changing a builder (a test fails
while a shipped file and its builder differ)."""

from __future__ import annotations

from components.office import templates
from components.overview.briefing_files import BRIEFING
from components.scorecards.report import REPORT

KINDS: tuple[templates.DocumentKind, ...] = (REPORT, BRIEFING)


def write_defaults() -> None:
    for kind in KINDS:
        path = templates.default_path(kind)
        path.write_bytes(templates.built_bytes(kind))
        print(path)


if __name__ == "__main__":
    write_defaults()
