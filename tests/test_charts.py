"""The shared chart pieces: every category gets its own line, Chinese labels lie flat, titles fit a column, and
the plot keeps its height in the page (no squeezing into a strip)."""

import pandas as pd

from components import charts
from components.grids import charts as grid_charts
from components.pipeline import charts as pipeline_charts

STAGES = ["需求摸排", "目标确立", "公开招标", "组织实施", "监测评估", "服务跟踪", "已结项", "已终止"]


def _y_axis(spec: dict) -> dict:
    layers = spec.get("layer") or [spec]
    return layers[0]["encoding"]["y"]["axis"]


def test_bar_charts_give_each_category_a_line_and_keep_their_height():
    frame = pd.DataFrame({"stage_label": STAGES, "projects": [9, 12, 8, 40, 20, 15, 330, 9],
                          "overdue": [2, 3, 1, 10, 4, 3, 0, 0], "budget_wan": [1.0] * 8})
    built = [
        pipeline_charts.stage_pipeline(frame, title="各阶段项目数", stage_title="所处阶段", projects_title="项目数",
                                       overdue_title="其中逾期", order=STAGES),
        pipeline_charts.ordered_bars(frame, label="stage_label", value="budget_wan", title="各阶段预算（万元）",
                                     label_title="所处阶段", value_title="万元", order=STAGES),
        charts.ranked_bars(frame, label="stage_label", value="projects", title="t", label_title="l", value_title="v"),
        grid_charts.type_bars(frame.assign(label=frame["stage_label"], value=1.0, status="green"), title="t",
                              label_title="l", value_title="v", percent=False),
    ]
    for chart in built:
        spec = chart.to_dict()
        # the page's width, the plot's own height: Streamlit's default "fit" squeezed 8 stages into 60 px
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
        height = spec.get("height") or spec["layer"][0]["height"]
        assert height >= charts.ROW_STEP * len(STAGES)
        axis = _y_axis(spec)
        assert axis["labelOverlap"] is False and axis["labelAngle"] == 0 and axis["labelLimit"] >= 200
    assert charts.rows_height(0) == charts.rows_height(1) == 120
    assert charts.rows_height(30) == 30 * charts.ROW_STEP


def test_titles_break_into_lines_that_fit_a_column():
    assert charts.title_lines("各阶段项目数") == ["各阶段项目数"]
    long_zh = "2026年按服务领域分列的预算与已拨付金额对比（万元）"
    lines = charts.title_lines(long_zh)
    assert len(lines) == 2 and "".join(lines) == long_zh
    assert all(sum(2 if "\u4e00" <= c <= "\u9fff" or c in "（）" else 1 for c in line) <= charts.TITLE_WIDTH
               for line in lines)
    english = charts.title_lines("Raised and granted by month per community fund (10k yuan)")
    assert len(english) == 2 and " ".join(english) == "Raised and granted by month per community fund (10k yuan)"
    assert all(len(line) <= charts.TITLE_WIDTH for line in english)
    assert charts.title_lines("12,345,678") == ["12,345,678"]  # a number is never split


def test_an_empty_chart_is_told_apart_from_a_drawn_one():
    from components import empty_states

    empty = charts.ranked_bars(pd.DataFrame({"l": [], "v": []}), label="l", value="v", title="t", label_title="l",
                               value_title="v")
    full = pipeline_charts.ordered_bars(pd.DataFrame({"l": ["a"], "v": [1]}), label="l", value="v", title="t",
                                        label_title="l", value_title="v", order=["a"])
    assert empty_states._rows(empty) == 0 and empty_states._rows(full) == 1
    assert empty_states._rows({"datasets": {"d": []}}) == 0 and empty_states._rows({"datasets": {"d": [{}]}}) == 1
