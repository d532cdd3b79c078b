"""How generic are a pack's key-point terms? A guard for anyone adding terms to a question bank.

A term that matches the model answers of several OTHER questions will also fire on answers to those
questions, where it is no evidence of its own key point: a false positive in the making. For each term
added to a pack file since a git revision (default HEAD, i.e. uncommitted additions), this prints the
terms that match at least `--max` other questions' model answers with the real matcher, and any key point
its own model answer no longer covers. `--proxy` prints one figure for the whole bank instead: the mean
share of a question's key points covered by the other questions' model answers (slow: ~5 minutes).

    .venv/bin/python bench/term_genericity.py technical.yaml              # new, uncommitted terms
    .venv/bin/python bench/term_genericity.py technical.yaml --since HEAD~3 --max 3
    .venv/bin/python bench/term_genericity.py --proxy
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer_words import tokens  # noqa: E402
from bot.coverage import Answer, assess, term_in, vocabulary  # noqa: E402
from content.library import QuestionLibrary  # noqa: E402

PACK = Path("content/packs/mlops")


def _terms_at(revision: str, path: Path) -> dict[tuple[str, str], set[str]]:
    shown = subprocess.run(
        ["git", "show", f"{revision}:{path.as_posix()}"], capture_output=True, text=True, cwd=ROOT
    )
    raw: Any = yaml.safe_load(shown.stdout) if shown.returncode == 0 else None
    questions = raw.get("questions", []) if isinstance(raw, dict) else []
    return {(q["id"], kp["label"]): set(kp.get("terms", [])) for q in questions for kp in q["key_points"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("file", nargs="?", default="", help="a file of the bundled pack, e.g. technical.yaml")
    parser.add_argument("--since", default="HEAD", help="terms not in this revision are new (%(default)s)")
    parser.add_argument("--max", type=int, default=2, help="flag terms matching this many other answers")
    parser.add_argument("--proxy", action="store_true", help="the whole-bank figure instead")
    args = parser.parse_args(argv)

    library = QuestionLibrary.load()
    questions = library.all()
    known = vocabulary(questions)
    answers = {q.id: Answer.parse(q.model_answer, known) for q in questions}
    if args.proxy:
        shares = []
        for q in questions:
            points = [[tokens(t) for t in kp.terms] for kp in q.key_points]
            for other in questions:
                if other.id != q.id:
                    hit = sum(1 for terms in points if any(term_in(t, answers[other.id]) for t in terms))
                    shares.append(hit / len(points))
        print(f"other questions' model answers cover {sum(shares) / len(shares):.3f} of a question's points")
        return 0
    if not args.file:
        parser.error("name a pack file, or use --proxy")
    path = PACK / args.file
    before = _terms_at(args.since, path)
    raw: Any = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    problems = checked = 0
    for entry in raw.get("questions", []):
        question = library.get(entry["id"])
        assert question is not None
        for label in assess(question.model_answer, question.key_points, known).missed:
            print(f"own model answer no longer covers: {question.id} | {label}")
            problems += 1
        for point in question.key_points:
            for term in sorted(set(point.terms) - before.get((question.id, point.label), set())):
                checked += 1
                others = [
                    o.id for o in questions if o.id != question.id and term_in(tokens(term), answers[o.id])
                ]
                if len(others) >= args.max:
                    print(
                        f"generic ({len(others)}: {', '.join(others[:3])}) "
                        f"{question.id} | {point.label} | {term!r}"
                    )
                    problems += 1
    print(f"{checked} new terms checked, {problems} problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
