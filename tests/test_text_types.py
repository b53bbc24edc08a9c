"""The shared text types of the write models (db.validation): how typed text is tidied before its rules."""

from __future__ import annotations

from typing import Annotated, Optional

import pytest
from pydantic import BaseModel, Field

from db.validation import BlankIsNone, InvalidInput, NoneIsBlank, OneLine, Stripped, validate


class Sample(BaseModel):
    name: Annotated[str, Stripped] = Field(min_length=2)
    note: Annotated[Optional[str], BlankIsNone] = None
    report: Annotated[str, NoneIsBlank] = ""
    title: Annotated[str, OneLine] = "标题"


def test_each_type_tidies_as_named():
    clean = validate(Sample, {"name": "  张三 ", "note": "   ", "report": None, "title": "社区\n  书院\t项目 "})
    assert (clean.name, clean.note, clean.report, clean.title) == ("张三", None, "", "社区 书院 项目")
    assert validate(Sample, {"name": "李四", "note": " 已核实 "}).note == "已核实"


def test_blanks_do_not_pass_a_length_rule():
    with pytest.raises(InvalidInput) as err:
        validate(Sample, {"name": "   "})
    assert err.value.field == "name" and err.value.code == "rule.min_length"
