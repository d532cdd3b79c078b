"""`practicebot content lint`: every problem in every pack, at once, as file:line: field: message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.coverage import term_can_match
from content.loader import BUNDLED_PACKS_DIR, LoadedPack, Problem, cross_pack_problems, load_packs


def _question_problems(pack: LoadedPack) -> list[Problem]:
    problems = []
    for q in pack.questions:
        file, line = pack.locations[q.id]
        lines = pack.field_lines.get(q.id, {})
        for i, point in enumerate(q.key_points):
            if not any(term_can_match(t) for t in point.terms):
                problems.append(
                    Problem(
                        file,
                        lines.get("key_points", line),
                        f"{q.id}.key_points.{i}.terms",
                        f"no term of '{point.label}' can ever match an answer "
                        "(only stopwords or punctuation)",
                    )
                )
    return problems


def lint_paths(paths: Sequence[Path]) -> tuple[list[Problem], int]:
    """Lint the given packs (or the bundled one). Returns (problems, questions checked)."""
    packs = (
        load_packs(paths, include_bundled=False)
        if paths
        else load_packs([BUNDLED_PACKS_DIR], include_bundled=False)
    )
    problems = [p for pack in packs for p in pack.problems]
    problems += cross_pack_problems(packs)
    for pack in packs:
        problems += _question_problems(pack)
    return sorted(set(problems)), sum(len(p.questions) for p in packs)
