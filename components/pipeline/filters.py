"""The project filter bar, mirrored in the URL (?year=2019&domain=governance&street=510104001…) so a
view can be shared as a link. Query values are codes, not labels, so a link means the same in
either language; a value the viewer's scope does not offer is dropped."""

from __future__ import annotations

import streamlit as st

from components import store, url_state
from components.i18n import lang, t
from components.pipeline import data as pipeline_data
from components.pipeline import labels as pipeline_labels
from db.access import Actor
from db.pipeline.projects import FilterOptions, ProjectFilter

ALL_FIELDS = ("year", "batch", "domain", "street", "stage", "contractor", "overdue", "q")
SELECTS = ("year", "batch", "domain", "street", "stage", "contractor")
CHOICE_CAP = 50  # a select with more options than this offers the matches of a search box instead (a city: 2,000)


def _choices(opts: FilterOptions, lg: str) -> dict[str, dict]:
    """param -> {option value: label}; the first option (None) means all."""
    everything = {None: t("common.all")}
    return {
        "year": {**everything, **{year: str(year) for year in opts.years}},
        "batch": {**everything, **{batch: batch for batch in opts.batches}},
        "domain": {**everything, **pipeline_labels.domain_options(lg)},
        "street": {**everything, **opts.streets},
        "stage": {**everything, **pipeline_labels.stage_options(lg)},
        "contractor": {**everything, **opts.contractors},
    }


def _to_url(param: str, value, opts: FilterOptions):
    """The value as the URL shows it: a street by its code, not its id."""
    return opts.street_codes.get(value) if param == "street" and value is not None else value


def _from_url(param: str, options: dict, opts: FilterOptions):
    if param == "street":
        raw = url_state.get(param)
        return next((sid for sid, code in opts.street_codes.items() if code == raw), None)
    return url_state.read(param, options)


def _key(prefix: str, param: str) -> str:
    return f"{prefix}_{param}"


def _searched(prefix: str, param: str, labels: dict) -> dict:
    """A long select's options cut to the first CHOICE_CAP matches of its search box (kept: 'all' and the value
    chosen), so a rerun does not send thousands of options to the browser."""
    if len(labels) <= CHOICE_CAP + 1:
        return labels
    text = (st.session_state.get(_key(prefix, f"{param}_q")) or "").strip().casefold()
    chosen = st.session_state.get(_key(prefix, param))
    kept = {None: labels[None], **({chosen: labels[chosen]} if chosen in labels else {})}
    for value, label in labels.items():
        if len(kept) >= CHOICE_CAP + 1:
            break
        if value is not None and (not text or text in label.casefold()):
            kept[value] = label
    return kept


def _adopt_url(prefix: str, fields: tuple[str, ...], choices: dict, opts: FilterOptions) -> None:
    """When the URL changed outside this page's widgets (first open, a shared link, back button),
    the widgets take their values from it; otherwise the widgets are the truth."""
    url = {param: url_state.get(param) for param in fields}
    seen_key = f"_{prefix}_url"
    if st.session_state.get(seen_key) == url and all(_key(prefix, p) in st.session_state for p in fields):
        return
    for param in fields:
        if param in SELECTS:
            st.session_state[_key(prefix, param)] = _from_url(param, choices[param], opts)
        elif param == "overdue":
            st.session_state[_key(prefix, param)] = url[param] in ("1", "true")
        else:
            st.session_state[_key(prefix, param)] = (url[param] or "")[:60]


def _publish(prefix: str, fields: tuple[str, ...], opts: FilterOptions) -> None:
    for param in fields:
        url_state.write(param, _to_url(param, st.session_state.get(_key(prefix, param)), opts))
    st.session_state[f"_{prefix}_url"] = {param: url_state.get(param) for param in fields}


def filter_bar(actor: Actor, *, prefix: str = "pipe_f", fields: tuple[str, ...] = ALL_FIELDS) -> ProjectFilter:
    """Draw the filters named in `fields`, keep them in step with the URL, return the filter."""
    lg = lang()
    opts = pipeline_data.options(store.url(), actor)
    choices = _choices(opts, lg)
    _adopt_url(prefix, fields, choices, opts)
    selects = [param for param in fields if param in SELECTS]
    columns = st.columns(len(selects)) if selects else []
    for column, param in zip(columns, selects):
        labels = _searched(prefix, param, choices[param])
        column.selectbox(t(f"pipe.filter.{param}"), list(labels), format_func=labels.get, key=_key(prefix, param),
                         disabled=param == "street" and len(labels) <= 2, placeholder=labels[None])
    long_contractors = "contractor" in fields and len(choices["contractor"]) > CHOICE_CAP + 1
    if long_contractors:
        st.text_input(t("pipe.contractor_search"), key=_key(prefix, "contractor_q"), max_chars=60,
                      placeholder=t("pipe.contractor_search_placeholder"))
    if "q" in fields or "overdue" in fields:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        if "q" in fields:
            left.text_input(t("pipe.filter.q"), key=_key(prefix, "q"), max_chars=60,
                            placeholder=t("pipe.filter.q_placeholder"))
        if "overdue" in fields:
            right.toggle(t("pipe.filter.overdue"), key=_key(prefix, "overdue"))
    _publish(prefix, fields, opts)
    state = st.session_state
    return ProjectFilter(
        year=state.get(_key(prefix, "year")) if "year" in fields else None,
        batch=state.get(_key(prefix, "batch")) if "batch" in fields else None,
        domain=state.get(_key(prefix, "domain")) if "domain" in fields else None,
        street_id=state.get(_key(prefix, "street")) if "street" in fields else None,
        stage=state.get(_key(prefix, "stage")) if "stage" in fields else None,
        contractor_org_id=state.get(_key(prefix, "contractor")) if "contractor" in fields else None,
        overdue_only=bool(state.get(_key(prefix, "overdue"))) if "overdue" in fields else False,
        search=(state.get(_key(prefix, "q")) or "").strip() or None if "q" in fields else None,
    )
