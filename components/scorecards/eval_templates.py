"""The admin's template page: every template version, the chosen one's indicators by group, and an editor
that saves in place while no score uses the template and as the next version once one does; below, the
Word templates of the evaluation report and the briefing (components/office/template_admin.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import formatting, store, tables, url_state
from components.i18n import error_text, escaped, lang, t
from components.office import template_admin
from components.office.kinds import KINDS
from components.safe_text import md_escape
from components.scorecards import data as eval_data
from components.writes import attempt, show_flash
from db.access import Actor
from db.errors import DomainError
from db.scorecards import rules
from db.scorecards import templates as eval_templates
from db.validation import InvalidInput

FLASH = "tpl_flash"
EDIT_COLUMNS = ["code", "group", "name", "name_en", "max_points", "guidance", "guidance_en"]
LIST_HEADINGS = {"round_label": "eval.col.round", "display_name": "eval.tpl.col.name",
                 "version": "eval.tpl.col.version", "state": "eval.tpl.col.state",
                 "indicators": "eval.tpl.col.indicators", "points": "eval.tpl.col.points",
                 "evaluations": "eval.col.evaluations"}


def _errors(err: DomainError) -> str:
    """Template problems name the indicator they belong to."""
    if not isinstance(err, InvalidInput):
        return error_text(err, "eval.field.")
    return "\n\n".join((f"{md_escape(params['indicator'])}: " if "indicator" in params else "")
                       + t(code, field=t(f"eval.field.{field}"), **escaped(params))
                       for field, code, params in err.problems)


def render(actor: Actor) -> None:
    lg = lang()
    st.title(t("eval.tpl.title"))
    st.caption(t("eval.tpl.caption"))
    show_flash(FLASH)
    frame = eval_data.templates(store.url(), actor)
    states = {(True, True): t("eval.tpl.locked"), (False, True): t("eval.tpl.editable"),
              (True, False): t("eval.tpl.superseded"), (False, False): t("eval.tpl.superseded")}
    shown = frame.assign(round_label=frame["round"].map(lambda r: t(f"eval.round.{r}")),
                         display_name=frame["name"] if lg == "zh" else frame["name_en"],
                         state=[states[(bool(lk), bool(lt))] for lk, lt in zip(frame["locked"], frame["latest"])])
    st.dataframe(tables.labelled(shown, LIST_HEADINGS), hide_index=True, width="stretch")
    if not frame.empty:
        _chosen(actor, frame, lg)
    st.divider()
    template_admin.render(actor, KINDS)  # the Word files' templates, beside the scorecards'


def _chosen(actor: Actor, frame: pd.DataFrame, lg: str) -> None:
    """The template picked in the list: its indicators, the editor and a new template from it."""
    labels = {int(r.id): f"{t(f'eval.round.{r.round}')} · {r.name if lg == 'zh' else r.name_en} v{r.version}"
              for r in frame.itertuples()}
    wanted = url_state.read("template", labels)
    if wanted is not None:
        st.session_state["tpl_pick"] = wanted
    elif st.session_state.get("tpl_pick") not in labels:
        st.session_state["tpl_pick"] = next(iter(labels))
    st.selectbox(t("eval.tpl.pick"), list(labels), format_func=labels.get, key="tpl_pick",
                 on_change=url_state.from_widget, args=("tpl_pick", "template"), placeholder=t("common.choose"))
    template = eval_data.template(store.url(), actor, int(st.session_state["tpl_pick"]))
    _indicators(template, lg)
    edit_tab, new_tab = st.tabs([t("eval.tpl.tab.edit"), t("eval.tpl.tab.new")], key="tpl_tab", on_change="rerun")
    if edit_tab.open:
        with edit_tab:
            _editor(actor, template)
    if new_tab.open:
        with new_tab:
            _new(actor, template)


def _indicators(template: eval_templates.TemplatePublic, lg: str) -> None:
    for group in rules.GROUPS:
        items = [i for i in template.indicators if i.group == group]
        if not items:
            continue
        heading = t("eval.form.group_heading", group=t(f"eval.group.{group}"),
                    points=sum(i.max_points for i in items))
        st.markdown(f"**{heading}**")
        rows = pd.DataFrame([{"code": i.code, "name": i.name if lg == "zh" else i.name_en, "max": i.max_points,
                              "guidance": (i.guidance if lg == "zh" else i.guidance_en) or i.guidance} for i in items])
        st.dataframe(rows.rename(columns={"code": t("eval.col.code"), "name": t("eval.col.indicator"),
                                          "max": t("eval.col.max_points"), "guidance": t("eval.col.guidance")}),
                     hide_index=True, width="stretch")
    st.caption(t("eval.tpl.total", total=formatting.number(template.total, lang())))


def _edit_frame(template: eval_templates.TemplatePublic) -> pd.DataFrame:
    return pd.DataFrame([{k: getattr(i, k) for k in EDIT_COLUMNS} for i in template.indicators], columns=EDIT_COLUMNS)


def _editor_table(key: str, frame: pd.DataFrame) -> list[dict]:
    groups = {g: t(f"eval.group.{g}") for g in rules.GROUPS}
    edited = st.data_editor(
        frame, key=key, num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "code": st.column_config.TextColumn(t("eval.col.code"), max_chars=8, required=True),
            "group": st.column_config.SelectboxColumn(t("eval.col.group"), options=list(rules.GROUPS),
                                                      format_func=groups.get, required=True),
            "name": st.column_config.TextColumn(t("eval.tpl.col.name_zh"), max_chars=60, required=True),
            "name_en": st.column_config.TextColumn(t("eval.tpl.col.name_en"), max_chars=100, required=True),
            "max_points": st.column_config.NumberColumn(t("eval.col.max_points"), min_value=1, max_value=100, step=1,
                                                        required=True),
            "guidance": st.column_config.TextColumn(t("eval.tpl.col.guidance_zh"), max_chars=1000),
            "guidance_en": st.column_config.TextColumn(t("eval.tpl.col.guidance_en"), max_chars=1000),
        })
    total = pd.to_numeric(edited["max_points"], errors="coerce").fillna(0).sum()
    message = t("eval.tpl.running_total", total=formatting.number(total, lang()), required=rules.TEMPLATE_TOTAL)
    (st.success if total == rules.TEMPLATE_TOTAL else st.warning)(message)
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in edited.to_dict("records")]


def _editor(actor: Actor, template: eval_templates.TemplatePublic) -> None:
    if not template.latest:
        st.info(t("eval.tpl.not_latest"))
        return
    st.caption(t("eval.tpl.locked_note", version=template.version + 1) if template.locked else t("eval.tpl.edit_note"))
    name = st.text_input(t("eval.tpl.col.name_zh"), value=template.name, key=f"tpl_name_{template.id}", max_chars=80)
    name_en = st.text_input(t("eval.tpl.col.name_en"), value=template.name_en, key=f"tpl_name_en_{template.id}",
                            max_chars=120)
    rows = _editor_table(f"tpl_edit_{template.id}", _edit_frame(template))
    label = t("eval.tpl.save_version", version=template.version + 1) if template.locked else t("common.save")
    if st.button(label, key="tpl_save", type="primary"):
        data = {"code": template.code, "round": template.round, "name": name, "name_en": name_en, "indicators": rows}
        _save(lambda: eval_templates.revise_template(store.engine(), actor=actor, template_id=template.id, data=data))


def _new(actor: Actor, template: eval_templates.TemplatePublic) -> None:
    st.caption(t("eval.tpl.new_note"))
    rounds = {r: t(f"eval.round.{r}") for r in rules.ROUNDS}
    left, right = st.columns(2)
    code = left.text_input(t("eval.field.code"), key="tpl_new_code", max_chars=32, placeholder="post-community")
    round_ = right.selectbox(t("eval.col.round"), list(rounds), format_func=rounds.get, key="tpl_new_round",
                             index=rules.ROUNDS.index(template.round), placeholder=t("common.choose"))
    name = left.text_input(t("eval.tpl.col.name_zh"), key="tpl_new_name", max_chars=80)
    name_en = right.text_input(t("eval.tpl.col.name_en"), key="tpl_new_name_en", max_chars=120)
    rows = _editor_table("tpl_new_rows", _edit_frame(template))
    if st.button(t("eval.tpl.create"), key="tpl_create", type="primary"):
        data = {"code": code, "round": round_, "name": name, "name_en": name_en, "indicators": rows}
        _save(lambda: eval_templates.create_template(store.engine(), actor=actor, data=data))


def _save(write) -> None:
    """Done, the page shows the saved version (its id in the URL, the pick follows the URL)."""

    def show(saved: eval_templates.TemplatePublic) -> None:
        url_state.write("template", saved.id)
        st.session_state.pop("tpl_pick", None)

    attempt(write, area="scorecards", flash_key=FLASH, explain=_errors, before_rerun=show,
            done=lambda saved: t("eval.tpl.saved", name=md_escape(saved.name), version=saved.version))
