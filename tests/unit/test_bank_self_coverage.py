"""The bundled bank and the matcher agree: a question's own model answer covers every one of its key points.

A key point whose terms its model answer never uses could never be earned by an answer written like it, and
a matcher change that stops reading well-formed answers (too eager a list rule, say) shows up here first."""

from __future__ import annotations

from bot.coverage import assess, vocabulary
from content.library import QuestionLibrary


def test_every_model_answer_covers_all_its_key_points() -> None:
    library = QuestionLibrary.load()
    known = vocabulary(library.all())
    missed = [
        f"{q.id}: {label}"
        for q in library.all()
        for label in assess(q.model_answer, q.key_points, known).missed
    ]
    assert missed == []
