"""Third-party performance evaluation: scorecard templates and their indicators, evaluations of a project
in a round, the evaluators assigned to them, their scores, and the rectification items that follow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ScoreTemplate(SQLModel, table=True):
    """One version of a scorecard. `code` names the family; a change to a locked version is saved as a
    new row with the next version number, so a submitted scorecard always reads its own indicators."""

    __tablename__ = "score_template"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_score_template_version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, index=True)
    round: str = Field(max_length=8, index=True)  # db.scorecards.rules.ROUNDS
    name: str = Field(max_length=80)
    name_en: str = Field(max_length=120)
    version: int = 1
    # set by the first score written against it; from then on edits make a new version
    locked: bool = False
    created_at: datetime
    created_by: str = Field(max_length=40)


class TemplateIndicator(SQLModel, table=True):
    __tablename__ = "template_indicator"
    __table_args__ = (UniqueConstraint("template_id", "code", name="uq_template_indicator_code"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="score_template.id", index=True)
    code: str = Field(max_length=8)  # e.g. A1, C2
    group: str = Field(max_length=12)  # decision|process|output|outcome (决策/过程/产出/效益)
    name: str = Field(max_length=60)
    name_en: str = Field(max_length=100)
    max_points: int
    guidance: str = Field(default="", sa_column=Column(Text, nullable=False))
    guidance_en: str = Field(default="", sa_column=Column(Text, nullable=False))
    sort_order: int = 0


class Evaluation(SQLModel, table=True):
    """A project evaluated in one round by a panel from a third-party agency; the text fields are the
    sections of the evaluation report (评价报告) the admin writes from the panel's scorecards."""

    __tablename__ = "evaluation"
    __table_args__ = (Index("ix_evaluation_project_round", "project_id", "round"),
                      # a project's evaluation, or the review of a 微创投 application (db/funds/reviews.py): one of the two
                      CheckConstraint("(project_id IS NULL) <> (application_id IS NULL)", name="ck_evaluation_subject"))

    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: Optional[int] = Field(default=None, foreign_key="project.id")
    application_id: Optional[int] = Field(default=None, foreign_key="grant_application.id", unique=True)
    template_id: int = Field(foreign_key="score_template.id", index=True)
    round: str = Field(max_length=8, index=True)
    agency: str = Field(max_length=80)
    due_on: date = Field(index=True)
    # open while a scorecard is outstanding; completed when every evaluator not recused has submitted
    status: str = Field(default="open", max_length=12, index=True)
    completed_at: Optional[datetime] = None
    # the panel over its submitted scorecards (db.scorecards.panels.store_panels, run by every write that
    # changes a scorecard's status or total): how many, their mean, and the result (the trimmed mean
    # from TRIM_FROM on), so results, grades, league and calibration read a column, not an aggregate
    scorecards: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    panel_mean: Optional[float] = None
    result: Optional[float] = None
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))  # 基本情况 (beyond the project's facts)
    conclusion: str = Field(default="", sa_column=Column(Text, nullable=False))  # 评价结论
    findings: str = Field(default="", sa_column=Column(Text, nullable=False))  # 主要问题, one per line
    recommendations: str = Field(default="", sa_column=Column(Text, nullable=False))  # 整改建议
    created_at: datetime
    created_by: str = Field(max_length=40)


class Assignment(SQLModel, table=True):
    """One evaluator on one evaluation: the conflict-of-interest declaration and the scorecard's state."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "evaluator_id", name="uq_assignment_evaluator"),
        Index("ix_assignment_evaluator_status", "evaluator_id", "status"),
        # every evaluator on a panel came from a draw or was put there by hand with a reason (migration 0012
        # gave the assignments made before it the reason rules.IMPORTED_REASON)
        CheckConstraint("draw_id IS NOT NULL OR assigned_reason IS NOT NULL", name="ck_assignment_source"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    evaluator_id: int = Field(foreign_key="app_user.id")
    status: str = Field(default="not_started", max_length=12, index=True)  # db.scorecards.rules.ASSIGNMENT_STATUSES
    coi_declared_at: Optional[datetime] = None
    conflict: Optional[bool] = None  # None until declared; True recuses the evaluator
    conflict_note: Optional[str] = Field(default=None, max_length=500)
    # the sum of the scores, written when the scorecard is submitted and cleared when it is reopened,
    # so results and calibration aggregate one column
    total: Optional[float] = None
    submitted_at: Optional[datetime] = None
    reopened_reason: Optional[str] = Field(default=None, max_length=500)
    reopened_at: Optional[datetime] = None
    reopened_by: Optional[str] = Field(default=None, max_length=40)
    updated_at: datetime
    draw_id: Optional[int] = Field(default=None, foreign_key="supervisor_draw.id", index=True)
    assigned_reason: Optional[str] = Field(default=None, max_length=200)  # why by hand, not by a draw


class Score(SQLModel, table=True):
    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("assignment_id", "indicator_id", name="uq_score_assignment_indicator"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    indicator_id: int = Field(foreign_key="template_indicator.id", index=True)
    points: float
    comment: Optional[str] = Field(default=None, max_length=500)


class Rectification(SQLModel, table=True):
    """A finding of an evaluation that must be fixed (整改), with who fixes it and by when."""

    __tablename__ = "rectification"

    id: Optional[int] = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    finding: str = Field(max_length=500)
    owner: str = Field(max_length=80)
    due_on: date = Field(index=True)
    status: str = Field(default="open", max_length=8, index=True)  # open|closed
    closed_on: Optional[date] = None
    evidence: Optional[str] = Field(default=None, max_length=1000)
    closed_by: Optional[str] = Field(default=None, max_length=40)
    created_at: datetime
    created_by: str = Field(max_length=40)
