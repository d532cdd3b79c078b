"""Grades: the cache of assessments by answer text, and the assessment each revealed answer got."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.grading import Assessment
from storage.rows import StoreBase
from storage.tables import AnswerRow, AssessmentRow


class GradingStore(StoreBase):
    def cached_assessment(
        self, question_id: str, answer_hash: str, grader: str, model: str
    ) -> Assessment | None:
        body = self.session.scalar(
            select(AssessmentRow.body).where(
                AssessmentRow.question_id == question_id,
                AssessmentRow.answer_hash == answer_hash,
                AssessmentRow.grader == grader,
                AssessmentRow.model == model,
            )
        )
        return Assessment.model_validate(body) if body is not None else None

    def save_assessment(
        self, question_id: str, answer_hash: str, assessment: Assessment, now: dt.datetime
    ) -> bool:
        """Cache a grade; False when another replica cached the same one first."""
        row = AssessmentRow(
            question_id=question_id,
            answer_hash=answer_hash,
            grader=assessment.grader,
            model=assessment.model,
            body=assessment.model_dump(mode="json"),
            created_at=now,
        )
        return self._add_once(row)

    def save_feedback(self, answer_id: int, assessment: Assessment) -> None:
        self.session.execute(
            update(AnswerRow)
            .where(AnswerRow.id == answer_id)
            .values(
                coverage=assessment.score,
                covered_points=list(assessment.covered),
                assessment=assessment.model_dump(mode="json"),
            )
        )

    def answer_assessment(self, answer_id: int) -> Assessment | None:
        body = self.session.scalar(select(AnswerRow.assessment).where(AnswerRow.id == answer_id))
        return Assessment.model_validate(body) if body is not None else None
