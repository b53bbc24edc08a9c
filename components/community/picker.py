"""Picking a community: district → street → community for the public pages, or among the communities in a
staff member's scope. The choice is kept in the URL as ?community=<unit code>, so a link opens it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import url_state
from components.i18n import t
from components.safe_text import md_escape

PARAM = "community"


def _index(options: list, value) -> int | None:
    return options.index(value) if value in options else None


def hierarchy(tree: pd.DataFrame, *, key: str, param: str | None = PARAM, field: str = "cm.field.community_id"
              ) -> int | None:
    """Three selectboxes narrowing district → street → community (public pages); the community's id, or None
    until one is picked. Each box is keyed by its parent, so picking another district starts the street over.
    The choice is kept in the URL's `param` (None: not kept, e.g. where a resident says where they live)."""
    wanted = tree[tree["code"] == url_state.get(param)] if param else tree.iloc[0:0]
    start = wanted.iloc[0] if not wanted.empty else None
    districts = {int(k): v for k, v in zip(tree["district_id"], tree["district"])}
    only = next(iter(districts)) if len(districts) == 1 else None  # one district: nothing to pick
    district = st.selectbox(t("cm.field.district"), list(districts), format_func=districts.get,
                            index=_index(list(districts), int(start["district_id"]) if start is not None else only),
                            key=f"{key}_district", placeholder=t("cm.pick.placeholder"))
    if district is None:
        return None
    in_district = tree[tree["district_id"] == district]
    streets = {int(k): v for k, v in zip(in_district["street_id"], in_district["street"])}
    street = st.selectbox(t("cm.field.street"), list(streets), format_func=streets.get,
                          index=_index(list(streets), int(start["street_id"]) if start is not None else None),
                          key=f"{key}_street_{district}", placeholder=t("cm.pick.placeholder"))
    if street is None:
        return None
    in_street = in_district[in_district["street_id"] == street]
    names = {int(k): v for k, v in zip(in_street["id"], in_street["name"])}
    community = st.selectbox(t(field), list(names), format_func=names.get,
                             index=_index(list(names), int(start["id"]) if start is not None else None),
                             key=f"{key}_community_{street}", placeholder=t("cm.pick.placeholder"))
    if community is not None and param:
        url_state.write(param, tree.loc[tree["id"] == community, "code"].iloc[0])
    return community


def in_scope(communities: pd.DataFrame, *, key: str) -> int | None:
    """Staff: one community of their scope, or all of them (None). A scope of one community needs no choice."""
    if len(communities) == 1:
        st.caption(t("cm.scope_one", name=md_escape(communities["name"].iloc[0])))
        return int(communities["id"].iloc[0])
    labels = {"": t("common.all"), **{code: f"{street} · {name}" for code, name, street in
                                      zip(communities["code"], communities["name"], communities["street"])}}
    raw = url_state.get(PARAM)
    st.session_state[key] = raw if raw in labels else ""
    st.selectbox(t("cm.field.community_id"), list(labels), format_func=labels.get, key=key,
                 on_change=url_state.from_widget, args=(key, PARAM), placeholder=t("common.choose"))
    code = st.session_state[key]
    return int(communities.loc[communities["code"] == code, "id"].iloc[0]) if code else None
