"""The labelled set behind bench/coverage_eval.py fits the bundled pack and is big and varied enough.

Checks the data only, never the precision or recall the benchmark reports."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from content.library import QuestionLibrary

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "coverage_eval.yaml"
# The development sets (general, second, name-dropping) and the final test set: each must fit the pack.
ALL_SETS = [
    DATA,
    ROOT / "bench" / "coverage_heldout.yaml",
    ROOT / "bench" / "coverage_namedrop.yaml",
    ROOT / "bench" / "coverage_test.yaml",
]
# The grading sets (bench/grading_eval.py): every labelled set there, development and final.
GRADING_SETS = sorted((ROOT / "bench").glob("grading_*.yaml"))
# The answer kinds issue 7 asks for; `full` (an ordinary sound answer) may come on top.
REQUIRED_KINDS = {"paraphrase", "synonym", "typo", "name-drop", "partial", "off-topic", "short"}


def _bench_module() -> ModuleType:
    name = "coverage_eval_bench"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "coverage_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def library() -> QuestionLibrary:
    return QuestionLibrary.load()


@pytest.fixture(scope="module")
def raw_answers() -> list[dict[str, Any]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("answers"), list)
    return data["answers"]


@pytest.mark.parametrize("data", ALL_SETS + GRADING_SETS, ids=lambda path: path.name)
def test_every_question_and_key_point_exists_and_every_point_is_judged(
    library: QuestionLibrary, data: Path
) -> None:
    raw_answers = yaml.safe_load(data.read_text(encoding="utf-8"))["answers"]
    problems = []
    for number, entry in enumerate(raw_answers, start=1):
        question = library.get(entry.get("question", ""))
        if question is None:
            problems.append(f"answer {number}: unknown question {entry.get('question')!r}")
            continue
        labels = {kp.label for kp in question.key_points}
        judged = entry.get("points") or {}
        problems += [f"answer {number}: unknown key point {p!r}" for p in judged if p not in labels]
        problems += [f"answer {number}: key point {p!r} not judged" for p in labels - set(judged)]
        problems += [
            f"answer {number}: {p!r} is not true/false" for p, v in judged.items() if type(v) is not bool
        ]
        if not str(entry.get("answer", "")).strip():
            problems.append(f"answer {number}: empty answer")
    assert problems == []


@pytest.mark.parametrize("data", ALL_SETS, ids=lambda path: path.name)
def test_the_benchmark_loader_accepts_every_entry(library: QuestionLibrary, data: Path) -> None:
    bench = _bench_module()
    answers, problems = bench.load_data(data, library)
    assert problems == []
    assert {a.kind for a in answers} <= set(bench.KINDS)


def test_size_spread_and_kinds(library: QuestionLibrary, raw_answers: list[dict[str, Any]]) -> None:
    judgements = sum(len(entry["points"]) for entry in raw_answers)
    questions = {entry["question"] for entry in raw_answers}
    categories = {q.category for q in map(library.get, questions) if q is not None}
    kinds = Counter(entry["kind"] for entry in raw_answers)
    assert judgements >= 150
    assert len(questions) >= 30
    assert len(categories) == 6
    assert set(kinds) >= REQUIRED_KINDS, f"missing kinds: {REQUIRED_KINDS - set(kinds)}"


def test_both_classes_are_well_represented(raw_answers: list[dict[str, Any]]) -> None:
    verdicts = Counter(v for entry in raw_answers for v in entry["points"].values())
    assert verdicts[True] >= 50 and verdicts[False] >= 50


def test_counts_arithmetic() -> None:
    bench = _bench_module()
    counts = bench.Counts(tp=8, fp=2, fn=2, tn=5)
    assert (counts.precision, counts.recall, counts.total) == (0.8, 0.8, 17)
    assert abs(counts.f1 - 0.8) < 1e-9
    assert bench.Counts().precision == 0.0 and bench.Counts().f1 == 0.0


@pytest.mark.parametrize("path", sorted((ROOT / "bench").glob("nothing_*.yaml")), ids=lambda path: path.name)
def test_nothing_sentences_name_a_question(library: QuestionLibrary, path: Path) -> None:
    sentences = yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]
    assert len(sentences) >= 100
    assert all(library.get(s["question"]) is not None and s["text"].strip() for s in sentences)
