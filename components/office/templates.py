"""Word files filled from a .docx template with docxtpl (Jinja tags such as {{ title }} typed in Word).

Each kind of document has a built-in template, made by its builder with python-docx in the 公文 layout and
shipped in components/office/defaults/ (`python -m components.office.write_defaults` writes them again; a
test holds the files to the builders). An administrator may replace it with the office's own
(db.office_templates): `check` renders the upload with a sample of the document's context first, so a
template naming a field the document does not have is refused with the field's name. A stored template
that still fails on real data (an index past the end of a list, say) gives way to the built-in one: the
download works and the log says why."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
from docx import Document
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from db.errors import DomainError
from db.office_templates import require_docx

DEFAULTS = Path(__file__).resolve().with_name("defaults")
_log = logging.getLogger(__name__)
# text XML 1.0 cannot hold, and the characters docxtpl turns into paragraphs or page breaks (\a, \f)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


@dataclass(frozen=True)
class DocumentKind:
    """A kind of Word document the app fills: its key in db.office_templates.KINDS, its name (a message
    key), the builder of its built-in template, and a sample context of its shape (lang, template -> context)."""

    key: str
    name: str
    build: Callable[[], Document]
    sample: Callable[[str, DocxTemplate], dict]


def default_path(kind: DocumentKind) -> Path:
    return DEFAULTS / f"{kind.key}.docx"


@lru_cache(maxsize=None)
def default_bytes(kind: DocumentKind) -> bytes:
    """The built-in template as shipped."""
    return default_path(kind).read_bytes()


def built_bytes(kind: DocumentKind) -> bytes:
    """The built-in template as its builder makes it now."""
    buffer = io.BytesIO()
    kind.build().save(buffer)
    return buffer.getvalue()


def _environment() -> jinja2.Environment:
    # sandboxed: an uploaded template is code an admin wrote, and must not reach Python's internals
    # ({{ "".__class__ }}); StrictUndefined: a misspelt field fails loudly instead of leaving a blank;
    # autoescape keeps typed text (a title with "<" or "&") from breaking the document's XML
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def _clean(value: Any) -> Any:
    """The context with every string made safe for the document's XML."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


def _render(template: bytes, context: Callable[[DocxTemplate], dict]) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(_clean(context(document)), jinja_env=_environment(), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fill(kind: DocumentKind, context: Callable[[DocxTemplate], dict], template: bytes | None = None) -> bytes:
    """The document: `template` (an office's own) filled with the context, or the built-in one when there is
    none or it fails. `context` takes the template being filled (pictures are made for it)."""
    if template is not None:
        try:
            return _render(template, context)
        except Exception:  # noqa: BLE001  (any failure of an office's template: the built-in one still serves)
            _log.warning("the uploaded %s template failed; the built-in one was used", kind.key, exc_info=True)
    return _render(default_bytes(kind), context)


def check(kind: DocumentKind, data: bytes, lang: str) -> None:
    """Refuse, with a DomainError naming the problem, a template that is no .docx, whose tags are not
    well written, that names fields the document does not have, or that does not make a document."""
    require_docx(data)
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except Exception:  # noqa: BLE001  (a zip that is no Word document)
        raise DomainError("office.error.not_docx", field="template") from None
    environment = _environment()
    try:
        context = _clean(kind.sample(lang, template))
        missing = template.get_undeclared_template_variables(jinja_env=environment, context=context)
        missing -= set(environment.globals)  # range, dict, …: Jinja's own
        if missing:
            raise DomainError("office.error.missing_fields", field="template", fields=", ".join(sorted(missing)))
        template.render(context, jinja_env=environment, autoescape=True)
        buffer = io.BytesIO()
        template.save(buffer)
        Document(io.BytesIO(buffer.getvalue()))  # what was made opens as a Word document
    except DomainError:
        raise
    except jinja2.UndefinedError as exc:
        found = _NO_ATTRIBUTE.search(str(exc)) or _UNDEFINED.search(str(exc))
        raise DomainError("office.error.missing_fields", field="template",
                          fields=found.group(1) if found else str(exc)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise DomainError("office.error.syntax", field="template", detail=exc.message or "") from None
    except Exception as exc:  # noqa: BLE001  (whatever else a template can do wrong, named for the admin)
        detail = f"{type(exc).__name__}: {exc}"[:200]
        raise DomainError("office.error.render", field="template", detail=detail) from None


@lru_cache(maxsize=8)
def problem(kind: DocumentKind, data: bytes, lang: str) -> DomainError | None:
    """What `check` finds wrong with a stored template, or None; remembered per template, since pages ask
    on every run."""
    try:
        check(kind, data, lang)
    except DomainError as err:
        return err
    return None


def fields(kind: DocumentKind, lang: str) -> list[tuple[str, str]]:
    """Every field a template of this kind may use, as Jinja names it, with an example value."""
    template = DocxTemplate(io.BytesIO(default_bytes(kind)))
    template.init_docx()
    out: list[tuple[str, str]] = []

    def walk(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}.{key}" if name else key, item)
        elif isinstance(value, (list, tuple)):
            out.append((f"{name}[]", _example(value[0]) if value else ""))
            if value and isinstance(value[0], (dict, list, tuple)):
                walk(f"{name}[0]", value[0])
        else:
            out.append((name, _example(value)))

    walk("", kind.sample(lang, template))
    return out


def _example(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        return "…"
    return value if isinstance(value, str) else type(value).__name__
