"""Coverage-detection benchmark: how well `bot.coverage.assess` agrees with human judgements of which key
points an answer covers.

Reads the labelled set `bench/coverage_eval.yaml` (answers written for this benchmark, each with every key
point of its question judged covered or not), runs `assess` on each answer against its question from the
bundled pack, and prints precision, recall and F1 of "covered" (the positive class) with the TP/FP/FN/TN
counts. `--verbose` adds the figures per answer kind and lists every disagreement. Goal (issue 7): precision
and recall both at least 0.85. Always exits 0: it measures, it does not pass or fail.

    .venv/bin/python bench/coverage_eval.py              # one summary line
    .venv/bin/python bench/coverage_eval.py --verbose    # plus per-kind figures and every disagreement
    .venv/bin/python bench/coverage_eval.py --data bench/coverage_heldout.yaml   # the held-out set
    .venv/bin/python bench/coverage_eval.py --content path/to/pack   # another version of the pack
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.coverage import vocabulary
from bot.grading import LexicalGrader
from content.library import QuestionLibrary

DATA = Path(__file__).with_name("coverage_eval.yaml")
KINDS = ("full", "paraphrase", "synonym", "typo", "name-drop", "partial", "off-topic", "short")


@dataclass(frozen=True)
class LabelledAnswer:
    number: int  # 1-based position in the data file, to find it again
    question_id: str
    kind: str
    answer: str
    points: dict[str, bool]  # key-point label -> covered, by human judgement


@dataclass(frozen=True)
class Judgement:
    answer: LabelledAnswer
    label: str
    expected: bool
    got: bool


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, judgements: Iterable[Judgement]) -> Counts:
        tp = fp = fn = tn = 0
        for j in judgements:
            if j.expected and j.got:
                tp += 1
            elif j.got:
                fp += 1
            elif j.expected:
                fn += 1
            else:
                tn += 1
        return cls(tp, fp, fn, tn)

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        return (
            f"precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f} "
            f"tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn}"
        )


def load_data(path: Path, library: QuestionLibrary) -> tuple[list[LabelledAnswer], list[str]]:
    """The labelled answers, and a problem per entry that does not fit the pack (unknown question or key
    point, a key point left unjudged, an unknown kind). Entries with problems are left out."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [], [f"{path}: cannot read: {exc}"]
    entries = raw.get("answers") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        return [], [f"{path}: expected a mapping with an `answers` list"]
    answers: list[LabelledAnswer] = []
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        where = f"answer {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: not a mapping")
            continue
        qid, kind, text, points = (entry.get(k) for k in ("question", "kind", "answer", "points"))
        where = f"answer {number} ({qid})"
        question = library.get(qid) if isinstance(qid, str) else None
        if question is None:
            problems.append(f"{where}: no question with this id in the bundled pack")
            continue
        if kind not in KINDS:
            problems.append(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
            continue
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty answer")
            continue
        if not isinstance(points, dict) or not all(isinstance(v, bool) for v in points.values()):
            problems.append(f"{where}: `points` must map key-point labels to true/false")
            continue
        labels = [kp.label for kp in question.key_points]
        unknown = [str(p) for p in points if p not in labels]
        missing = [label for label in labels if label not in points]
        if unknown or missing:
            detail = "; ".join(
                [
                    *(f"unknown key point {p!r}" for p in unknown),
                    *(f"key point {m!r} not judged" for m in missing),
                ]
            )
            problems.append(f"{where}: {detail}")
            continue
        answers.append(LabelledAnswer(number, qid, kind, text, {label: points[label] for label in labels}))
    return answers, problems


def evaluate(answers: Sequence[LabelledAnswer], library: QuestionLibrary) -> list[Judgement]:
    judgements: list[Judgement] = []
    grader = LexicalGrader(vocabulary(library.all()))  # the default grader, through the grading port
    for item in answers:
        question = library.get(item.question_id)
        assert question is not None  # load_data only keeps answers to known questions
        covered = set(grader.grade_now(question, item.answer).covered)
        judgements.extend(
            Judgement(item, label, expected, label in covered) for label, expected in item.points.items()
        )
    return judgements


def _speed(answers: Sequence[LabelledAnswer], library: QuestionLibrary, rounds: int = 5) -> str:
    """Time per `assess` call, as at a reveal (stems cached after the first round, as in a running bot)."""
    grader = LexicalGrader(vocabulary(library.all()))
    jobs = [(item.answer, library.get(item.question_id)) for item in answers]
    started = time.perf_counter()
    for _ in range(rounds):
        for text, question in jobs:
            assert question is not None
            grader.grade_now(question, text)
    per_call = (time.perf_counter() - started) / (rounds * len(jobs)) if jobs else 0.0
    return f"assess: {per_call * 1000:.2f} ms per answer (mean of {rounds * len(jobs)} calls)"


def report(judgements: Sequence[Judgement], *, verbose: bool) -> list[str]:
    answers = {j.answer.number for j in judgements}
    questions = {j.answer.question_id for j in judgements}
    lines = [
        f"judgements={len(judgements)} answers={len(answers)} questions={len(questions)} "
        f"{Counts.of(judgements).summary()}"
    ]
    if not verbose:
        return lines
    lines += ["", "by answer kind:"]
    for kind in KINDS:
        of_kind = [j for j in judgements if j.answer.kind == kind]
        if of_kind:
            lines.append(f"  {kind:<10} n={len(of_kind):<3} {Counts.of(of_kind).summary()}")
    wrong = [j for j in judgements if j.expected != j.got]
    lines += ["", f"disagreements ({len(wrong)}):"]
    for j in wrong:
        verdict = "FN" if j.expected else "FP"
        lines.append(
            f"  {verdict} #{j.answer.number} {j.answer.question_id} | {j.label} | "
            f"expected={'covered' if j.expected else 'missed'} got={'covered' if j.got else 'missed'} "
            f"| kind={j.answer.kind}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="labelled answers (default: %(default)s)")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="per-kind figures and every disagreement"
    )
    parser.add_argument(
        "--content",
        type=Path,
        action="append",
        default=[],
        help="grade against this pack directory instead of the bundled pack (repeatable)",
    )
    args = parser.parse_args(argv)

    library = QuestionLibrary.load(args.content, include_bundled=not args.content)
    answers, problems = load_data(args.data, library)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    judgements = evaluate(answers, library)
    print("\n".join(report(judgements, verbose=args.verbose)))
    if args.verbose:
        print(f"\n{_speed(answers, library)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
