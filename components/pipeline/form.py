"""The project form's fields (new project and edit), and a refused project write shown in the user's
language."""

from __future__ import annotations

import streamlit as st

from components import store
from components.i18n import lang, t
from components.pipeline import data as pipeline_data
from components.pipeline import labels as pipeline_labels
from db import clock
from db.access import Actor
from db.pipeline import rules
from db.validation import DATE_MAX, DATE_MIN

FLASH = "pipe_detail_flash"  # shown once on the detail page after a write


FIELD_PREFIX = "pipe.field."
PICK_CAP = 200  # options a place or contractor pick sends at most; search_boxes narrow them


def _unit_labels(actor: Actor) -> dict[int, str]:
    units = pipeline_data.units(store.url(), actor, ("street", "community"))
    street_names = {uid: name for uid, name, level in zip(units["id"], units["name"], units["level"])
                    if level == "street"}
    labels = {}
    for uid, street_id, name, level in zip(units["id"], units["street_id"], units["name"], units["level"]):
        street = street_names.get(street_id) if level == "community" else None  # by id: a moved unit keeps its code
        labels[int(uid)] = f"{street} · {name}" if street else name
    return labels


def _contractor_labels(actor: Actor, lg: str, keep: int | None) -> dict:
    """Active organizations, and `keep` (the project's contractor now) even if deregistered since."""
    orgs = pipeline_data.contractor_choices(store.url(), actor, clock.today(), keep)
    labels = {None: t("pipe.form.no_contractor")}
    for oid, name, grade, status, active in zip(orgs["id"], orgs["name"], orgs["grade"], orgs["rating_status"],
                                                orgs["active"]):
        gone = "" if active else f" · {t('pipe.form.contractor_inactive')}"
        labels[int(oid)] = f"{name}（{pipeline_labels.grade(grade)} · {pipeline_labels.rating_status(status, lg)}{gone}）"
    return labels


def _catalogue_labels() -> dict:
    items = pipeline_data.catalogue_choices(store.url())
    labels = {None: t("pipe.form.outside_catalogue")}
    labels.update({int(i): f"{code} {name}（{category}）"
                   for i, code, name, category in zip(items["id"], items["code"], items["name"], items["category_name"])})
    return labels


def search_boxes(actor: Actor, prefix: str) -> None:
    """Above the caller's form: boxes that narrow its place and contractor picks to their first PICK_CAP
    matches, where there are more (a city has thousands; a form's own widgets cannot rerun it before it is
    submitted). Nothing is drawn where the picks are short."""
    units = len(pipeline_data.units(store.url(), actor, ("street", "community")))
    orgs = len(pipeline_data.contractor_choices(store.url(), actor, clock.today(), None))
    if max(units, orgs) < PICK_CAP:
        return
    left, right = st.columns(2)
    if units >= PICK_CAP:
        left.text_input(t("pipe.form.unit_search"), key=f"{prefix}_unit_q", max_chars=60,
                        placeholder=t("pipe.form.unit_search_placeholder"))
    if orgs >= PICK_CAP:
        right.text_input(t("pipe.contractor_search"), key=f"{prefix}_contractor_q", max_chars=60,
                         placeholder=t("pipe.contractor_search_placeholder"))


def _narrowed(labels: dict, key: str, value) -> dict:
    """The first PICK_CAP options matching the search box `key` (see search_boxes), always with the first
    option and `value`; all of them when they are few."""
    if len(labels) <= PICK_CAP:
        return labels
    text = (st.session_state.get(key) or "").strip().casefold()
    first = next(iter(labels))
    kept = {first: labels[first], **({value: labels[value]} if value in labels else {})}
    for option, label in labels.items():
        if len(kept) >= PICK_CAP:
            break
        if not text or text in label.casefold():
            kept.setdefault(option, label)
    return kept


def _select(container, field: str, labels: dict, value, key: str, **kwargs):
    options = list(labels)
    index = options.index(value) if value in options else 0
    kwargs.setdefault("placeholder", labels.get(None) or t("common.choose"))  # None is an option: say which
    return container.selectbox(t(FIELD_PREFIX + field), options, index=index, format_func=labels.get, key=key, **kwargs)


def _whole(container, field: str, value, key: str, help_key: str, optional: bool = False):
    """Amounts and counts are typed as text and parsed by the db layer. Not st.number_input: its
    integer box reads what the browser sends with parseInt, so "1e308" arrived as 1 and was saved."""
    shown = "" if value is None and optional else str(value if value is not None else 0)
    return container.text_input(t(FIELD_PREFIX + field), value=shown, max_chars=20, key=key, help=t(help_key))


def fields(actor: Actor, prefix: str, values: dict) -> dict:
    """Draw every editable field inside the caller's st.form; returns the values as entered."""
    lg = lang()
    out: dict = {}
    left, right = st.columns(2)
    out["title"] = left.text_input(t(FIELD_PREFIX + "title"), value=values.get("title") or "", max_chars=120,
                                   key=f"{prefix}_title")
    domains = pipeline_labels.domain_options(lg)
    out["domain"] = _select(right, "domain", domains, values.get("domain"), f"{prefix}_domain")
    batches = {b: b for b in pipeline_data.options(store.url(), actor).batches}
    if values.get("batch"):
        batches.setdefault(values["batch"], values["batch"])
    out["batch"] = _select(left, "batch", batches, values.get("batch"), f"{prefix}_batch", accept_new_options=True)
    out["year"] = right.number_input(t(FIELD_PREFIX + "year"), min_value=2000, max_value=2100,
                                     value=int(values.get("year") or clock.today().year), step=1, key=f"{prefix}_year")
    out["buyer"] = left.text_input(t(FIELD_PREFIX + "buyer"), value=values.get("buyer") or "", max_chars=60,
                                   key=f"{prefix}_buyer")
    out["org_unit_id"] = _select(right, "org_unit_id", _narrowed(_unit_labels(actor), f"{prefix}_unit_q",
                                                                 values.get("org_unit_id")),
                                 values.get("org_unit_id"), f"{prefix}_unit")
    out["catalogue_item_id"] = _select(left, "catalogue_item_id", _catalogue_labels(), values.get("catalogue_item_id"),
                                       f"{prefix}_catalogue")
    out["off_catalogue_service"] = right.text_input(
        t(FIELD_PREFIX + "off_catalogue_service"), value=values.get("off_catalogue_service") or "", max_chars=120,
        key=f"{prefix}_service", help=t("pipe.form.service_help"))
    contractor = values.get("contractor_org_id")
    out["contractor_org_id"] = _select(st, "contractor_org_id", _narrowed(_contractor_labels(actor, lg, contractor),
                                                                          f"{prefix}_contractor_q", contractor),
                                       contractor, f"{prefix}_contractor")
    columns = st.columns(5)
    for column, field in zip(columns, ("budget", "contract_amount", "personnel_cost", "management_fee", "disbursed")):
        out[field] = _whole(column, field, values.get(field), f"{prefix}_{field}", "pipe.form.yuan_help",
                            optional=field == "contract_amount")
    st.caption(t("pipe.form.caps", personnel=rules.PERSONNEL_CAP_PERCENT, fee=rules.MANAGEMENT_FEE_CAP_PERCENT))
    columns = st.columns(4)
    out["started_on"] = columns[0].date_input(t(FIELD_PREFIX + "started_on"), value=values.get("started_on"),
                                              min_value=DATE_MIN, max_value=DATE_MAX, key=f"{prefix}_started")
    out["ended_on"] = columns[1].date_input(t(FIELD_PREFIX + "ended_on"), value=values.get("ended_on"),
                                            min_value=DATE_MIN, max_value=DATE_MAX, key=f"{prefix}_ended")
    for column, field in zip(columns[2:], ("target_beneficiaries", "actual_beneficiaries")):
        out[field] = _whole(column, field, values.get(field), f"{prefix}_{field}", "pipe.form.count_help",
                            optional=True)
    out["summary"] = st.text_area(t(FIELD_PREFIX + "summary"), value=values.get("summary") or "", max_chars=2000,
                                  key=f"{prefix}_summary")
    return out
