"""Social organizations (the 社会组织 list): filters, counts by kind, track and grade, the letters' coverage,
the list, and one organization's rating history (admins record a new rating there, and deactivate a
deregistered organization or bring it back)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import empty_states, exports, formatting, store, tables
from components.caching import cached
from components.i18n import lang, t
from components.pipeline import charts as pipeline_charts
from components.pipeline import data as pipeline_data
from components.pipeline import form as project_form
from components.pipeline import labels as pipeline_labels
from components.safe_text import md_escape
from components.texts import translate
from components.writes import attempt, import_file, show_flash
from db import clock
from db.access import Actor
from db.pipeline import org_records, org_registry, rules, social_orgs
from db.pipeline.social_orgs import SocialOrgFilter

FLASH = "pipe_org_flash"
LIST_HEADINGS = {
    "name": "pipe.org.col.name", "kind_label": "pipe.org.col.kind", "registration_label": "pipe.org.col.registration",
    "domain_label": "pipe.org.col.domain", "street_name": "pipe.org.col.street", "grade_label": "pipe.org.col.grade",
    "valid": "pipe.org.col.valid_until", "status_label": "pipe.org.col.status",
    "commitment": "pipe.org.col.commitment", "responsibility": "pipe.org.col.responsibility",
    "party_label": "pipe.org.col.party", "incubated_label": "pipe.org.col.incubated",
    "projects": "pipe.org.col.projects", "active_label": "pipe.org.col.active", "code": "pipe.org.col.code",
}
SHOWN = 200  # rows drawn in the table and offered in the pick; the search narrows, the downloads hold every row
GRADE_ORDER = ["5A", "4A", "3A", "2A", "1A", "expired", "unrated"]


def _filters(actor: Actor, lg: str) -> SocialOrgFilter:
    everything = {None: t("common.all")}
    units = pipeline_data.units(store.url(), actor, ("district", "street"))
    districts = {**everything, **{int(i): n for i, n, lv in zip(units["id"], units["name"], units["level"])
                                  if lv == "district"}}
    streets = {**everything, **{int(i): n for i, n, lv in zip(units["id"], units["name"], units["level"])
                                if lv == "street"}}
    kinds = {**everything, **{k: pipeline_labels.org_kind(k, lg) for k in rules.ORG_KINDS}}
    tracks = {**everything, **{r: pipeline_labels.registration(r, lg) for r in rules.REGISTRATIONS}}
    domains = {**everything, **pipeline_labels.domain_options(lg)}
    grades = {**everything, "eligible": t("pipe.org.grade.eligible"),
              **{str(g): pipeline_labels.grade(g) for g in rules.GRADES},
              "expired": t("pipe.org.grade.expired"), "unrated": t("pipe.org.grade.unrated")}
    row = st.columns(6 if len(districts) > 2 else 5)
    cells = iter(row)
    district = next(cells).selectbox(t("pipe.org.filter.district"), list(districts), format_func=districts.get,
                                     key="pipe_org_district",
                                     placeholder=t("common.all")) if len(districts) > 2 else None
    street = next(cells).selectbox(t("pipe.filter.street"), list(streets), format_func=streets.get,
                                   key="pipe_org_street", disabled=len(streets) <= 2, placeholder=t("common.all"))
    kind = next(cells).selectbox(t("pipe.org.filter.kind"), list(kinds), format_func=kinds.get, key="pipe_org_kind",
                                 placeholder=t("common.all"))
    track = next(cells).selectbox(t("pipe.org.filter.registration"), list(tracks), format_func=tracks.get,
                                  key="pipe_org_registration", placeholder=t("common.all"))
    domain = next(cells).selectbox(t("pipe.filter.domain"), list(domains), format_func=domains.get,
                                   key="pipe_org_domain", placeholder=t("common.all"))
    grade = next(cells).selectbox(t("pipe.org.filter.grade"), list(grades), format_func=grades.get,
                                  key="pipe_org_grade", placeholder=t("common.all"))
    statuses = {None: t("common.all"), "active": t("pipe.org.status.active"), "inactive": t("pipe.org.status.inactive")}
    left, right = st.columns([1, 3])
    # deregistered organizations stay in the register but out of its figures until asked for
    status = left.selectbox(t("pipe.org.filter.status"), list(statuses), index=1, format_func=statuses.get,
                            key="pipe_org_status", placeholder=t("common.all"))
    search = right.text_input(t("pipe.org.filter.search"), key="pipe_org_search", max_chars=60)
    return SocialOrgFilter(district_id=district, street_id=street, kind=kind, registration=track, domain=domain,
                           grade=grade, search=search.strip() or None, status=status)


def render(actor: Actor) -> None:
    st.title(t("pipe.org.title"))
    st.caption(t("pipe.org.caption"))
    show_flash(FLASH)
    if actor.may("pipeline.write"):
        _manage(actor)
    if empty_states.nothing_yet(actor, "social_orgs"):
        return
    lg, url, today = lang(), store.url(), clock.today()
    filters = _filters(actor, lg)
    counts = pipeline_data.org_counts(url, actor, filters, today)
    share = (lambda n: formatting.percent(n / counts.total, lg)) if counts.total else (lambda n: "—")
    metrics = [("pipe.org.metric.total", formatting.number(counts.total, lg)),
               ("pipe.org.metric.registered", formatting.number(counts.registered, lg)),
               ("pipe.org.metric.filed", formatting.number(counts.filed, lg)),
               ("pipe.org.metric.eligible", formatting.number(counts.eligible, lg)),
               ("pipe.org.metric.commitment", share(counts.commitment)),
               ("pipe.org.metric.responsibility", share(counts.responsibility))]
    for column, (key, value) in zip(st.columns(len(metrics)), metrics):
        column.metric(t(key), value, help=t(key + "_help", min_grade=pipeline_labels.grade(rules.MIN_GRADE)))
    st.caption(t("pipe.org.coverage_note", both=share(counts.both_letters), branch=counts.party_branch,
                 group=counts.party_group, incubated=counts.incubated))
    if not counts.total:
        st.info(t("common.no_rows"))
        return
    for column, spec in zip(st.columns(3), chart_specs(url, actor, filters, today, lg)):
        empty_states.chart(where=column, chart=spec, width="stretch")
    st.subheader(t("pipe.org.list"))
    st.caption(t("common.rows", n=counts.total))
    # the first rows read and drawn, counted by org_counts (the same filters); every row read and labelled only
    # when a download is built: a city's 6,000 are not read or re-sent on every run
    st.dataframe(table_frame(url, actor, filters, today, lg, SHOWN), hide_index=True, width="stretch",
                 key="pipe_org_table")
    if counts.total > SHOWN:
        st.caption(t("common.first_rows", n=SHOWN, total=counts.total))
    tables.downloads(lambda: table_frame(url, actor, filters, today, lg), name=t("pipe.org.title"), key="pipe_org")
    _one_org(actor, pipeline_data.org_list(url, actor, filters, today, SHOWN), lg)


@cached("pipeline")
def chart_specs(url: str, actor: Actor, filters: SocialOrgFilter, today: date, lg: str) -> list[dict]:
    """Organizations by kind, by track and by grade, as Vega-Lite specs (cached like the reads)."""
    specs = [("kind", lambda k: pipeline_labels.org_kind(k, lg), None),
             ("registration", lambda k: pipeline_labels.registration(k, lg), None),
             ("grade", lambda k: _grade_label(k, lg), [_grade_label(g, lg) for g in GRADE_ORDER])]
    built = []
    for by, label, order in specs:
        frame = pipeline_data.org_counts_by(url, actor, by, filters, today)
        frame["label"] = [label(k) for k in frame["key"]]
        built.append(pipeline_charts.ordered_bars(
            frame, label="label", value="orgs", title=translate(f"pipe.org.chart.{by}", lg),
            label_title=translate(f"pipe.org.col.{by}", lg), value_title=translate("pipe.org.col.orgs", lg),
            order=order or list(frame.sort_values("orgs", ascending=False)["label"])).to_dict())
    return built


def _grade_label(key: str, lg: str) -> str:
    return translate(f"pipe.org.grade.{key}", lg) if key in ("expired", "unrated") else key


@cached("pipeline")
def table_frame(url: str, actor: Actor, filters: SocialOrgFilter, today: date, lg: str, limit: int | None = None
                ) -> pd.DataFrame:
    """The organizations as shown and downloaded (the first `limit`, or all): labels instead of codes, headings in
    the user's language."""
    frame = pipeline_data.org_list(url, actor, filters, today, limit)
    yes, no = translate("common.yes", lg), translate("common.no", lg)
    frame["kind_label"] = [pipeline_labels.org_kind(k, lg) for k in frame["kind"]]
    frame["registration_label"] = [pipeline_labels.registration(r, lg) for r in frame["registration"]]
    frame["domain_label"] = [pipeline_labels.domain(d, lg) for d in frame["domain"]]
    frame["grade_label"] = [pipeline_labels.grade(g) for g in frame["grade"]]
    frame["valid"] = [formatting.day(d, lg) for d in frame["grade_valid_until"]]
    frame["status_label"] = [pipeline_labels.rating_status(s, lg) for s in frame["rating_status"]]
    frame["commitment"] = [yes if v else no for v in frame["commitment_letter"]]
    frame["responsibility"] = [yes if v else no for v in frame["responsibility_letter"]]
    frame["party_label"] = [pipeline_labels.party(p, lg) for p in frame["party_org"]]
    frame["incubated_label"] = [yes if v else no for v in frame["incubated"]]
    frame["active_label"] = [translate(f"pipe.org.status.{'active' if v else 'inactive'}", lg) for v in frame["active"]]
    frame["street_name"] = frame["street_name"].fillna("")
    return frame[list(LIST_HEADINGS)].rename(columns={c: translate(k, lg) for c, k in LIST_HEADINGS.items()})


@st.fragment  # picking an organization reruns its detail, not the figures, charts and list above
def _one_org(actor: Actor, frame, lg: str) -> None:
    st.subheader(t("pipe.org.detail"))
    labels = dict(zip(frame["id"].astype(int), frame["name"]))
    org_id = st.selectbox(t("pipe.org.pick"), list(labels), index=None, format_func=labels.get, key="pipe_org_pick",
                          placeholder=t("pipe.org.pick_placeholder"))
    if org_id is None:
        return
    active = bool(frame.loc[frame["id"] == org_id, "active"].iloc[0])
    if not active:
        st.warning(t("pipe.org.inactive_note"))
    engine = store.engine()
    history = social_orgs.rating_history(engine, actor=actor, org_id=org_id)
    if history.empty:
        st.info(t("pipe.org.no_rating"))
    else:
        history["grade_label"] = [pipeline_labels.grade(g) for g in history["grade"]]
        history["rated"] = [formatting.day(d, lg) for d in history["rated_on"]]
        history["valid"] = [formatting.day(d, lg) for d in history["valid_until"]]
        history["note"] = history["note"].fillna("")
        st.dataframe(tables.labelled(history, {"grade_label": "pipe.org.col.grade", "score": "pipe.org.col.score",
                                               "rated": "pipe.org.col.rated_on", "valid": "pipe.org.col.valid_until",
                                               "recorded_by": "pipe.org.col.recorded_by", "note": "pipe.field.note"}),
                     hide_index=True, width="stretch", key="pipe_org_history")
    if actor.may("pipeline.write"):
        _rating_form(actor, org_id, labels[org_id])
    _records(actor, org_id, labels[org_id], lg)
    if actor.may("pipeline.write"):
        _edit_form(actor, org_id)
        _status_form(actor, org_id, active)


def _status_form(actor: Actor, org_id: int, active: bool) -> None:
    """Deactivate a deregistered organization (已注销) or bring it back; the reason goes to the audit log."""
    with st.form("pipe_org_status_form", clear_on_submit=True):
        reason = st.text_input(t("pipe.org.status_reason"), max_chars=200, key="pipe_org_status_reason")
        submitted = st.form_submit_button(t("pipe.org.deactivate" if active else "pipe.org.activate"),
                                          icon=":material/block:" if active else ":material/check:")
    if submitted:
        attempt(lambda: org_registry.set_org_active(store.engine(), actor=actor, org_id=org_id, active=not active,
                                                    reason=reason),
                area="pipeline", flash_key=FLASH, field_prefix=project_form.FIELD_PREFIX,
                done=lambda saved: t("pipe.org.deactivated" if active else "pipe.org.activated",
                                     name=md_escape(saved.name)))


def _rating_form(actor: Actor, org_id: int, name: str) -> None:
    grades = {g: pipeline_labels.grade(g) for g in rules.GRADES}
    with st.form("pipe_rating", clear_on_submit=True):
        st.markdown(f"**{t('pipe.org.record_rating')}**")
        left, middle, right = st.columns(3)
        grade = left.selectbox(t("pipe.field.grade"), list(grades), index=2, format_func=grades.get,
                               key="pipe_rating_grade", placeholder=t("common.choose"))
        score = middle.number_input(t("pipe.field.score"), min_value=0, max_value=1000, value=None, step=1,
                                    format="%d", key="pipe_rating_score")
        rated_on = right.date_input(t("pipe.field.rated_on"), value=clock.today(), key="pipe_rating_day")
        note = st.text_input(t("pipe.field.note"), key="pipe_rating_note", max_chars=200)
        submitted = st.form_submit_button(t("pipe.org.record_submit"), type="primary", key="pipe_rating_submit")
    if not submitted:
        return
    attempt(lambda: social_orgs.record_rating(store.engine(), actor=actor, org_id=org_id,
                                              data={"grade": grade, "score": score, "rated_on": rated_on, "note": note}),
            area="pipeline", flash_key=FLASH, field_prefix=project_form.FIELD_PREFIX,
            done=lambda saved: t("pipe.org.recorded", name=md_escape(name), grade=pipeline_labels.grade(saved.grade),
                                 valid_until=formatting.day(saved.grade_valid_until, lang())))


# --- the registry (admins) ---------------------------------------------------------------------------

def _manage(actor: Actor) -> None:
    with st.expander(t("pipe.org.manage.title"), icon=":material/edit_note:"):
        add, sheet = st.tabs([t("pipe.org.manage.add"), t("pipe.org.manage.import")])
        with add:
            _add_form(actor)
        with sheet:
            _import(actor)


def _org_fields(actor: Actor, prefix: str, current: dict | None = None) -> dict:
    """The fields an admin keeps, inside the caller's form; prefilled with `current` when editing one."""
    current = current or {}
    lg = lang()
    kinds = {code: pipeline_labels.org_kind(code, lg) for code in rules.ORG_KINDS}
    tracks = {code: pipeline_labels.registration(code, lg) for code in rules.REGISTRATIONS}
    domains = {code: pipeline_labels.domain(code, lg) for code in rules.DOMAINS}
    parties = {code: pipeline_labels.party(code, lg) for code in rules.PARTY_ORGS}

    def index(options: dict, key: str, default: int = 0) -> int:
        return list(options).index(current[key]) if current.get(key) in options else default

    left, right = st.columns(2)
    data = {"name": left.text_input(t("pipe.field.name"), value=current.get("name", ""), max_chars=120,
                                    key=f"{prefix}_name")}
    if not current:  # the code and the place are set once: a move is a new registration
        data["code"] = right.text_input(t("pipe.field.code"), max_chars=32, key=f"{prefix}_code")
    data["kind"] = left.selectbox(t("pipe.field.kind"), list(kinds), index=index(kinds, "kind"),
                                  format_func=kinds.get, key=f"{prefix}_kind", placeholder=t("common.choose"))
    data["registration"] = right.selectbox(t("pipe.field.registration"), list(tracks),
                                           index=index(tracks, "registration"), format_func=tracks.get,
                                           key=f"{prefix}_track", placeholder=t("common.choose"))
    data["domain"] = left.selectbox(t("pipe.field.domain"), list(domains), index=index(domains, "domain"),
                                    format_func=domains.get, key=f"{prefix}_domain", placeholder=t("common.choose"))
    if not current:
        units = pipeline_data.units(store.url(), actor, ("district", "street"))
        places = dict(zip(units["code"], units["name"]))
        data["unit_code"] = right.selectbox(t("pipe.field.unit_code"), list(places), format_func=places.get,
                                            key=f"{prefix}_unit", placeholder=t("common.choose"))
    data["founded_on"] = left.date_input(t("pipe.field.founded_on"), value=current.get("founded_on"),
                                         key=f"{prefix}_founded")
    data["party_org"] = right.selectbox(t("pipe.field.party_org"), list(parties),
                                        index=index(parties, "party_org", len(parties) - 1),
                                        format_func=parties.get, key=f"{prefix}_party", placeholder=t("common.choose"))
    data["authority"] = left.text_input(t("pipe.field.authority"), value=current.get("authority") or "",
                                        max_chars=60, key=f"{prefix}_authority")
    data["incubation_base"] = right.text_input(t("pipe.field.incubation_base"),
                                               value=current.get("incubation_base") or "", max_chars=80,
                                               key=f"{prefix}_base")
    data["incubated_on"] = left.date_input(t("pipe.field.incubated_on"), value=current.get("incubated_on"),
                                           key=f"{prefix}_entered")
    data["graduated_on"] = right.date_input(t("pipe.field.graduated_on"), value=current.get("graduated_on"),
                                            key=f"{prefix}_graduated")
    ticks = st.columns(3)
    data["incubated"] = ticks[0].checkbox(t("pipe.field.incubated"), value=bool(current.get("incubated")),
                                          key=f"{prefix}_incubated")
    data["commitment_letter"] = ticks[1].checkbox(t("pipe.field.commitment_letter"),
                                                  value=bool(current.get("commitment_letter")),
                                                  key=f"{prefix}_commitment")
    data["responsibility_letter"] = ticks[2].checkbox(t("pipe.field.responsibility_letter"),
                                                      value=bool(current.get("responsibility_letter")),
                                                      key=f"{prefix}_responsibility")
    return data


def _add_form(actor: Actor) -> None:
    with st.form("pipe_org_add"):
        data = _org_fields(actor, "org_add")
        submitted = st.form_submit_button(t("pipe.org.manage.add"), type="primary")
    if submitted:
        attempt(lambda: org_registry.create_org(store.engine(), actor=actor, data=data), area="pipeline",
                flash_key=FLASH, field_prefix=project_form.FIELD_PREFIX,
                done=lambda made: t("pipe.org.manage.added", name=md_escape(made.name)))


def _edit_form(actor: Actor, org_id: int) -> None:
    """Correct an organization's register entry; the code and the place stay."""
    current = org_registry.org_fields(store.engine(), actor=actor, org_id=org_id)
    with st.expander(t("pipe.org.edit.title"), icon=":material/edit:"):
        # keyed by the organization, so picking another one shows its own values, not the last one's edits
        with st.form(f"pipe_org_edit_{org_id}"):
            data = _org_fields(actor, f"org_edit_{org_id}", current)
            submitted = st.form_submit_button(t("pipe.org.edit.save"), type="primary")
    if submitted:
        attempt(lambda: org_registry.update_org(store.engine(), actor=actor, org_id=org_id, data=data),
                area="pipeline", flash_key=FLASH, field_prefix=project_form.FIELD_PREFIX,
                done=lambda saved: t("pipe.org.edit.saved", name=md_escape(saved.name)))


def _export_builder(actor: Actor):
    """Built only when the button is clicked: bind what it needs now."""
    engine, lg, name = store.engine(), lang(), t("pipe.org.manage.export_name")
    title = tables.file_title(name, actor)

    def build() -> bytes:
        return exports.excel_bytes({name: org_registry.org_sheet(engine, actor=actor, lang=lg)}, title=title)

    return build


def _import(actor: Actor) -> None:
    st.caption(t("pipe.org.manage.import_caption"))
    tables.download_button(st, t("pipe.org.manage.export"), data=_export_builder(actor), mime=exports.XLSX_MIME,
                           file_name=f"{t('pipe.org.manage.export_name')}.xlsx", key="org_export",
                           icon=":material/download:")
    done = import_file(lambda data, name: org_registry.import_orgs(store.engine(), actor=actor, data=data,
                                                                   filename=name),
                       key="pipe_org_import", area="pipeline", field_prefix=project_form.FIELD_PREFIX)
    if done is not None:
        st.success(t("pipe.org.manage.imported", **done))


# --- letters and annual inspections ------------------------------------------------------------------

def _records(actor: Actor, org_id: int, name: str, lg: str) -> None:
    """The signed 承诺书 / 责任书 and the 年检 of each year, with their forms for admins."""
    engine = store.engine()
    letters_tab, inspections_tab = st.tabs([t("pipe.org.letters"), t("pipe.org.inspections")])
    with letters_tab:
        frame = org_records.letters(engine, actor=actor, org_id=org_id)
        if frame.empty:
            st.info(t("pipe.org.no_letters"))
        else:
            frame["kind_label"] = [t(f"pipe.letter.{k}") for k in frame["kind"]]
            frame["signed"] = [formatting.day(d, lg) for d in frame["signed_on"]]
            frame["scan_label"] = [t("common.yes") if k else t("common.no") for k in frame["scan_type"]]
            st.dataframe(tables.labelled(frame, {"kind_label": "pipe.org.col.letter", "signed": "pipe.field.signed_on",
                                                 "scan_label": "pipe.org.col.scan",
                                                 "recorded_by": "pipe.org.col.recorded_by"}),
                         hide_index=True, width="stretch", key="pipe_org_letters")
        if actor.may("pipeline.write"):
            _letter_form(actor, org_id, name)
    with inspections_tab:
        frame = org_records.inspections(engine, actor=actor, org_id=org_id)
        if frame.empty:
            st.info(t("pipe.org.no_inspections"))
        else:
            frame["result_label"] = [t(f"pipe.inspection.{r}") for r in frame["result"]]
            frame["simple"] = [t("common.yes") if v else "" for v in frame["simplified"]]
            frame["day"] = [formatting.day(d, lg) for d in frame["inspected_on"]]
            frame["note"] = frame["note"].fillna("")
            st.dataframe(tables.labelled(frame, {"year": "pipe.field.year", "result_label": "pipe.field.result",
                                                 "simple": "pipe.field.simplified", "day": "pipe.field.inspected_on",
                                                 "note": "pipe.field.note", "recorded_by": "pipe.org.col.recorded_by"}),
                         hide_index=True, width="stretch", key="pipe_org_inspections")
        if actor.may("pipeline.write"):
            _inspection_form(actor, org_id, name)


def _letter_form(actor: Actor, org_id: int, name: str) -> None:
    kinds = {k: t(f"pipe.letter.{k}") for k in org_records.LETTER_KINDS}
    with st.form("pipe_letter", clear_on_submit=True):
        left, right = st.columns(2)
        kind = left.selectbox(t("pipe.field.kind_letter"), list(kinds), format_func=kinds.get, key="pipe_letter_kind",
                              placeholder=t("common.choose"))
        signed_on = right.date_input(t("pipe.field.signed_on"), value=clock.today(), key="pipe_letter_day")
        scan = st.file_uploader(t("pipe.field.scan"), type=["pdf", "png", "jpg", "jpeg"], key="pipe_letter_scan")
        submitted = st.form_submit_button(t("pipe.org.record_letter"), type="primary")
    if submitted:
        attempt(lambda: org_records.record_letter(store.engine(), actor=actor, org_id=org_id,
                                                  data={"kind": kind, "signed_on": signed_on},
                                                  scan=scan.getvalue() if scan else None),
                area="pipeline", flash_key=FLASH, field_prefix=project_form.FIELD_PREFIX,
                done=t("pipe.org.letter_recorded", name=md_escape(name), kind=kinds[kind]))


def _inspection_form(actor: Actor, org_id: int, name: str) -> None:
    results = {r: t(f"pipe.inspection.{r}") for r in org_records.INSPECTION_RESULTS}
    today = clock.today()
    with st.form("pipe_inspection", clear_on_submit=True):
        left, middle, right = st.columns(3)
        year = left.number_input(t("pipe.field.year"), min_value=2000, max_value=today.year, value=today.year - 1,
                                 step=1, format="%d", key="pipe_inspection_year")
        result = middle.selectbox(t("pipe.field.result"), list(results), format_func=results.get,
                                  key="pipe_inspection_result", placeholder=t("common.choose"))
        inspected_on = right.date_input(t("pipe.field.inspected_on"), value=today, key="pipe_inspection_day")
        simplified = st.checkbox(t("pipe.field.simplified"), key="pipe_inspection_simplified",
                                 help=t("pipe.org.simplified_help", grade=pipeline_labels.grade(rules.MIN_GRADE)))
        note = st.text_input(t("pipe.field.note"), max_chars=200, key="pipe_inspection_note")
        submitted = st.form_submit_button(t("pipe.org.record_inspection"), type="primary")
    if submitted:
        data = {"year": year, "result": result, "simplified": simplified, "inspected_on": inspected_on, "note": note}
        attempt(lambda: org_records.record_inspection(store.engine(), actor=actor, org_id=org_id, data=data),
                area="pipeline", flash_key=FLASH, field_prefix=project_form.FIELD_PREFIX,
                done=t("pipe.org.inspection_recorded", name=md_escape(name), year=year, result=results[result]))
