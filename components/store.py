"""The cached engine for DATABASE_URL; the first use creates the schema and loads the demo data, or, with
APP_DEMO=0, an empty install's reference data (seed_data.loader.prepare)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from components.i18n import t
from db import settings
from db.engine import make_engine
from seed_data import loader as seed


@st.cache_resource(show_spinner="首次启动：正在准备数据库… / First start: preparing the database…")
def _engine_for(url: str) -> Engine:
    settings.secret_key()  # first start: generate data/secret_key now, before any cookie or vote needs it
    engine = make_engine(url)
    seed.prepare(engine, demo=settings.demo())
    return engine


def engine() -> Engine:
    """One engine per URL (tests point DATABASE_URL at a temporary database). A database prepared the
    other way (demo / empty install) stops every page with the reason."""
    try:
        return _engine_for(settings.database_url())
    except seed.MixedInstall as err:
        st.error(t(err.code))
        st.stop()


def url() -> str:
    """The current DATABASE_URL: pass it as the first argument of st.cache_data readers so a cache
    entry never serves another database's rows."""
    return settings.database_url()


def engine_for(url: str) -> Engine:
    return _engine_for(url)
