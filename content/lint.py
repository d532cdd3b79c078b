"""`practicebot content lint`: every problem in every pack, at once, as file:line: field: message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.answer_words import tokens
from bot.coverage import Bank, term_can_match, vocabulary, wrong_phrases_in
from bot.questions import Question
from content.loader import (
    BUNDLED_PACKS_DIR,
    MANIFEST_NAME,
    LoadedPack,
    Problem,
    cross_pack_problems,
    load_packs,
)


def _question_problems(pack: LoadedPack, bank: Bank | None) -> list[Problem]:
    """Checks that need a valid question: key points whose terms the matcher can never find, and (with a
    bank) key points that only generic words or bare names could earn (the grader never takes one alone)
    and wrong phrases the model answer says (they would take a right answer's credit)."""
    problems = []
    for q in pack.questions:
        file, line = pack.locations[q.id]
        lines = pack.field_lines.get(q.id, {})
        for i, point in enumerate(q.key_points):
            field = f"key_points.{i}.terms"
            parsed = [tokens(t) for t in point.terms]
            generic = bank.generic if bank is not None else frozenset()
            alone = [t for t in parsed if len(t) >= 2 or (len(t) == 1 and t[0][0] not in generic)]
            if bank is not None and not alone and any(parsed):
                problems.append(
                    Problem(
                        file,
                        lines.get(field, lines.get("key_points", line)),
                        f"{q.id}.{field}",
                        f"every term of '{point.label}' is a single common word or a bare name, which the "
                        "grader never takes as evidence alone; add terms of two or more words that state the "
                        "idea, e.g. 'roll back automatically'",
                    )
                )
            if bank is not None:
                problems += _wrong_phrase_problems(q, i, bank, file, lines, line)
            dead = [t for t in point.terms if not term_can_match(t)]
            if len(dead) == len(point.terms):
                problems.append(
                    Problem(
                        file,
                        lines.get(field, lines.get("key_points", line)),
                        f"{q.id}.{field}",
                        f"no term of '{point.label}' can ever match an answer "
                        "(only stopwords or punctuation); use content words, e.g. 'canary release'",
                    )
                )
                continue
            for term in dead:
                j = point.terms.index(term)
                problems.append(
                    Problem(
                        file,
                        lines.get(f"{field}.{j}", lines.get(field, line)),
                        f"{q.id}.{field}.{j}",
                        f"'{term}' can never match an answer (only stopwords or punctuation); "
                        "remove it or use content words",
                    )
                )
    return problems


def _wrong_phrase_problems(
    q: Question, i: int, bank: Bank, file: str, lines: dict[str, int], line: int
) -> list[Problem]:
    """Wrong phrases of key point `i` that the model answer, or one of the question's own labels and
    terms, says: a right answer saying the same would lose its credit."""
    point = q.key_points[i]
    said = [
        (phrase, f'the model answer says it ("{_clip(statement)}")')
        for phrase, statement in wrong_phrases_in(q.model_answer, point, bank)
    ]
    for text in (t for p in q.key_points for t in (p.label, *p.terms)):
        said += [
            (phrase, f"the key point text '{text}' says it")
            for phrase, _ in wrong_phrases_in(text, point, bank)
        ]
    problems = []
    for phrase, where in dict(said).items():
        j = point.wrong.index(phrase)
        problems.append(
            Problem(
                file,
                lines.get(f"key_points.{i}.wrong.{j}", lines.get(f"key_points.{i}.wrong", line)),
                f"{q.id}.key_points.{i}.wrong.{j}",
                f"wrong phrase '{phrase}': {where}, so a right answer would lose its credit; make the "
                "phrase more specific or remove it",
            )
        )
    return problems


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _pack_name_problems(packs: Sequence[LoadedPack]) -> list[Problem]:
    """Two packs with one name could not be told apart in stats or channel settings."""
    seen: dict[str, Path] = {}
    problems = []
    for pack in packs:
        if pack.manifest is None:
            continue
        name = pack.manifest.name
        if name in seen and seen[name] != pack.root:
            manifest = pack.root / MANIFEST_NAME
            problems.append(
                Problem(
                    str(manifest),
                    pack.manifest_lines.get("name", 1),
                    "name",
                    f"pack name '{name}' is already used by {seen[name] / MANIFEST_NAME}; pick another",
                )
            )
        seen.setdefault(name, pack.root)
    return problems


def lint_packs(packs: Sequence[LoadedPack], *, terms: bool = True) -> list[Problem]:
    """Every problem of these packs. `terms=False` (loading at start) leaves out the term-quality check:
    whether a word is common depends on which packs are loaded together, so it is advice for authors
    (`content lint`), not a reason to refuse a start."""
    problems = [p for pack in packs for p in pack.problems]
    problems += cross_pack_problems(packs)
    problems += _pack_name_problems(packs)
    bank = vocabulary(q for pack in packs for q in pack.questions) if terms else None
    for pack in packs:
        problems += _question_problems(pack, bank)
    return sorted(set(problems))


def lint_paths(paths: Sequence[Path]) -> tuple[list[Problem], int]:
    """Lint the given packs (or the bundled one). Returns (problems, questions checked)."""
    packs = load_packs(list(paths) or [BUNDLED_PACKS_DIR], include_bundled=False)
    return lint_packs(packs), sum(p.entries for p in packs)
