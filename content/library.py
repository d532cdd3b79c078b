"""The questions the bot can ask, from the bundled pack and the user's packs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from content.loader import ContentError, cross_pack_problems, load_packs
from content.schema import Question


class QuestionLibrary:
    def __init__(self, questions: Iterable[Question]) -> None:
        self._questions = sorted(questions, key=lambda q: q.id)
        self._by_id = {q.id: q for q in self._questions}

    @classmethod
    def load(cls, paths: Sequence[Path] = (), *, include_bundled: bool = True) -> QuestionLibrary:
        packs = load_packs(paths, include_bundled=include_bundled)
        problems = [p for pack in packs for p in pack.problems] + cross_pack_problems(packs)
        if problems:
            raise ContentError(problems)
        library = cls(q for pack in packs for q in pack.questions)
        if not library.all():
            raise ContentError([])
        return library

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def all(self) -> Sequence[Question]:
        return self._questions

    def count_by_category(self) -> Counter[str]:
        return Counter(q.category.value for q in self._questions)

    def __len__(self) -> int:
        return len(self._questions)
