"""Pack tooling: one purpose-made broken pack per kind of error (exact `file:line: field: message`), the
bundled pack's counts, CSV/Markdown import round-trips, and strict vs non-strict start."""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import MINI_PACK

from bot.settings import ConfigError, load_settings
from content.importer import (
    ImportFailed,
    ImportRefused,
    parse_csv,
    parse_markdown,
    run_import,
    slugify,
)
from content.library import QuestionLibrary
from content.lint import lint_paths
from content.loader import BUNDLED_PACKS_DIR
from content.schema import Category, Difficulty
from practicebot.bootstrap import load_library

MANIFEST = "name: {name}\nversion: '1'\ndescription: d\nlicense: CC0-1.0\n"
BASE = """\
questions:
  - id: q-canary
    question: How does a canary release of a model work?
    category: technical
    difficulty: easy
    topics: [deployment]
    what_it_tests: Safe rollout of a new model.
    model_answer: Send a small share of traffic to the new model, compare metrics, then roll back if worse.
    key_points:
      - label: Small share of traffic first
        terms: [small percentage, canary]
      - label: Automatic rollback
        terms: [rollback, roll back]
    pitfalls:
      - No rollback plan.
      - Judging on too little traffic.
    follow_ups:
      - What metrics gate the rollout?
"""
KEY_POINTS = """\
    key_points:
      - label: Small share of traffic first
        terms: [small percentage, canary]
      - label: Automatic rollback
        terms: [rollback, roll back]
"""
CATEGORIES = (
    "'fundamentals', 'technical', 'situational', 'behavioral', 'problem-solving' or 'cloud-infrastructure'"
)


def _pack(tmp_path: Path, questions: str, name: str = "broken", file: str = "questions.yaml") -> Path:
    root = tmp_path / name
    root.mkdir(exist_ok=True)
    (root / "pack.yaml").write_text(MANIFEST.format(name=name))
    (root / file).write_text(questions)
    return root


def _line(text: str, marker: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if marker in line]
    return hits[nth - 1]


def _lint(*roots: Path) -> list[str]:
    problems, _ = lint_paths(list(roots))
    return [str(p) for p in problems]


# --- one broken pack per kind of error ---------------------------------------------------------------

NINE_POINTS = "    key_points:\n" + "".join(
    f"      - label: Point {i}\n        terms: [term{i}]\n" for i in range(9)
)

# (name, text to replace, replacement, marker of the reported line, field, exact message)
CASES = [
    (
        "missing field",
        "    difficulty: easy\n",
        "",
        "id: q-canary",
        "q-canary.difficulty",
        "is required but missing",
    ),
    (
        "unknown category",
        "category: technical",
        "category: astrology",
        "astrology",
        "q-canary.category",
        f"'astrology' is not one of {CATEGORIES}",
    ),
    (
        "unknown difficulty",
        "difficulty: easy",
        "difficulty: trivial",
        "trivial",
        "q-canary.difficulty",
        "'trivial' is not one of 'easy', 'medium', 'hard' or 'staff'",
    ),
    (
        "empty key points",
        KEY_POINTS,
        "    key_points: []\n",
        "key_points: []",
        "q-canary.key_points",
        "is empty: list at least one key point (a label and the terms that show an answer covered it)",
    ),
    (
        "key point without terms",
        "terms: [rollback, roll back]",
        "terms: []",
        "terms: []",
        "q-canary.key_points.1.terms",
        "is empty: list at least one word or phrase that shows an answer made this point",
    ),
    (
        "key point whose terms can never match",
        "terms: [rollback, roll back]",
        "terms: [the, '...']",
        "terms: [the",
        "q-canary.key_points.1.terms",
        "no term of 'Automatic rollback' can ever match an answer (only stopwords or punctuation); "
        "use content words, e.g. 'canary release'",
    ),
    (
        "one term that can never match",
        "terms: [rollback, roll back]",
        "terms: [rollback, of the]",
        "terms: [rollback, of the]",
        "q-canary.key_points.1.terms.1",
        "'of the' can never match an answer (only stopwords or punctuation); remove it or use content words",
    ),
    (
        "over-long question",
        "question: How does a canary release of a model work?",
        "question: " + "a" * 700,
        "question: aaa",
        "q-canary.question",
        "is 700 characters; at most 600 fit a chat message, so shorten it",
    ),
    (
        "over-long model answer",
        "model_answer: Send a small share",
        "model_answer: " + "b" * 3000 + "\n    example: Send a small share",
        "model_answer: bbb",
        "q-canary.model_answer",
        "is 3000 characters; at most 2900 fit a chat message, so shorten it",
    ),
    (
        "over-long pitfall",
        "- Judging on too little traffic.",
        "- " + "c" * 1000,
        "- ccc",
        "q-canary.pitfalls.1",
        "is 1000 characters; at most 900 fit a chat message, so shorten it",
    ),
    (
        "over-long key point label",
        "label: Automatic rollback",
        "label: " + "d" * 130,
        "label: ddd",
        "q-canary.key_points.1.label",
        "is 130 characters; at most 120 fit a chat message, so shorten it",
    ),
    (
        "too many key points",
        KEY_POINTS,
        NINE_POINTS,
        "key_points:",
        "q-canary.key_points",
        "has 9 items; at most 8 fit the reveal card",
    ),
    (
        "empty pitfall",
        "- No rollback plan.",
        "- ''",
        "- ''",
        "q-canary.pitfalls.0",
        "is empty",
    ),
    (
        "key point written as plain text",
        "      - label: Automatic rollback\n        terms: [rollback, roll back]\n",
        "      - Automatic rollback\n",
        "- Automatic rollback",
        "q-canary.key_points.1",
        "must be a mapping with a label and terms, e.g. {label: Canary, terms: [canary]}",
    ),
    (
        "topics not a list",
        "topics: [deployment]",
        "topics: deployment",
        "topics: deployment",
        "q-canary.topics",
        "must be a list, e.g. [first, second]",
    ),
    (
        "topic not a slug",
        "topics: [deployment]",
        "topics: [Model Deployment]",
        "topics: [Model",
        "q-canary.topics",
        "topic 'Model Deployment' must be lowercase words joined by '-', e.g. model-monitoring",
    ),
    (
        "invalid id",
        "id: q-canary",
        "id: Q Canary",
        "id: Q Canary",
        "id",
        "'Q Canary' is not a valid id: use 2-80 lowercase letters, digits and '-', e.g. feature-store-basics",
    ),
    (
        "field given twice",
        "    difficulty: easy\n",
        "    difficulty: easy\n    category: fundamentals\n",
        "category: fundamentals",
        "q-canary.category",
        "is given twice (first at line 4); keep one, YAML would silently use only the last",
    ),
    (
        "import placeholder left in",
        "model_answer: Send a small share",
        "model_answer: TODO\n    example: Send a small share",
        "model_answer: TODO",
        "q-canary.model_answer",
        "is still the import placeholder TODO: write the answer a strong candidate would give aloud",
    ),
    (
        "import placeholder in a category",
        "category: technical",
        "category: TODO",
        "category: TODO",
        "q-canary.category",
        "is still the import placeholder TODO: choose one of fundamentals, technical, situational, "
        "behavioral, problem-solving, cloud-infrastructure",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "marker", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_kind_of_error_is_one_exact_line(
    tmp_path: Path, old: str, new: str, marker: str, field: str, message: str
) -> None:
    assert old in BASE
    broken = BASE.replace(old, new, 1)
    root = _pack(tmp_path, broken)
    file = root / "questions.yaml"
    assert _lint(root) == [f"{file}:{_line(broken, marker)}: {field}: {message}"]


def test_the_base_of_the_broken_packs_is_clean(tmp_path: Path) -> None:
    assert _lint(_pack(tmp_path, BASE)) == []


def test_misspelt_field_suggests_the_right_name(tmp_path: Path) -> None:
    broken = BASE.replace("follow_ups:", "folow_ups:")
    file = _pack(tmp_path, broken) / "questions.yaml"
    assert _lint(file.parent) == [
        f"{file}:2: q-canary.follow_ups: is required but missing",
        f"{file}:{_line(broken, 'folow_ups')}: q-canary.folow_ups: is not a known field "
        "(did you mean 'follow_ups'?)",
    ]


def test_duplicate_ids_in_one_pack_and_across_packs(tmp_path: Path) -> None:
    root = _pack(tmp_path, BASE, name="one", file="a.yaml")
    (root / "b.yaml").write_text(BASE)
    other = _pack(tmp_path, BASE, name="two")
    assert _lint(root) == [
        f"{root / 'b.yaml'}:2: q-canary.id: duplicate id (first defined at {root / 'a.yaml'}:2)"
    ]
    assert _lint(root, other)[-1] == (
        f"{other / 'questions.yaml'}:2: q-canary.id: duplicate id across packs "
        f"(first defined at {root / 'a.yaml'}:2)"
    )


@pytest.mark.parametrize(
    ("manifest", "line", "field", "message"),
    [
        (
            "name: p\nversion: 1.0\ndescription: d\nlicense: MIT\n",
            2,
            "version",
            "must be text, not float; put it in quotes, e.g. '1.0'",
        ),
        ("name: p\nversion: '1'\ndescription: d\n", 1, "license", "is required but missing"),
        (
            "name: My Pack\nversion: '1'\ndescription: d\nlicense: MIT\n",
            1,
            "name",
            "'My Pack' must be lowercase letters, digits and '-', e.g. team-mlops",
        ),
        (
            "name: p\nversion: '1'\ndescription: d\nlicense: 'TODO: choose one'\n",
            4,
            "license",
            "is still the import placeholder TODO: name the license, e.g. CC-BY-4.0, or 'proprietary'",
        ),
        (
            "name: p\nversion: '1'\ndescription: d\nlicence: MIT\nlicense: MIT\n",
            4,
            "licence",
            "is not a known field (did you mean 'license'?)",
        ),
    ],
)
def test_pack_yaml_problems(tmp_path: Path, manifest: str, line: int, field: str, message: str) -> None:
    root = _pack(tmp_path, BASE)
    (root / "pack.yaml").write_text(manifest)
    assert _lint(root) == [f"{root / 'pack.yaml'}:{line}: {field}: {message}"]


def test_empty_files(tmp_path: Path) -> None:
    root = _pack(tmp_path, "")
    (root / "pack.yaml").write_text("# nothing yet\n")
    assert _lint(root) == [
        f"{root / 'pack.yaml'}:1: pack: the file is empty: give name, version, description and license",
        f"{root / 'questions.yaml'}:1: questions: "
        "the file is empty: add a questions: list or delete the file",
    ]


def test_missing_pack_yaml_and_duplicate_pack_names(tmp_path: Path) -> None:
    root = _pack(tmp_path, BASE, name="a")
    (root / "pack.yaml").unlink()
    assert _lint(root) == [f"{root / 'pack.yaml'}:1: file: missing: every pack needs a pack.yaml"]
    first = _pack(tmp_path, BASE, name="b")
    second = _pack(tmp_path, BASE.replace("q-canary", "q-other"), name="c")
    (second / "pack.yaml").write_text(MANIFEST.format(name="b"))
    assert _lint(first, second) == [
        f"{second / 'pack.yaml'}:1: name: pack name 'b' is already used by {first / 'pack.yaml'}; "
        "pick another"
    ]


# --- the bundled pack -------------------------------------------------------------------------------


def test_bundled_pack_lints_clean_and_meets_the_counts() -> None:
    problems, checked = lint_paths([BUNDLED_PACKS_DIR / "mlops", BUNDLED_PACKS_DIR / "llmops"])
    assert [str(p) for p in problems] == []
    questions = QuestionLibrary.load([], include_bundled=True).all()
    assert checked == len(questions) >= 100
    per_category = Counter(q.category for q in questions)
    assert {c: per_category[c] for c in Category if per_category[c] < 10} == {}
    per_difficulty = Counter(q.difficulty for q in questions)
    assert per_difficulty[Difficulty.EASY] >= 0.2 * len(questions)
    assert per_difficulty[Difficulty.HARD] >= 0.2 * len(questions)
    off = {
        q.id: reason
        for q in questions
        for reason, bad in [
            (f"{q.model_answer_words} words", not 80 <= q.model_answer_words <= 300),
            (f"{len(q.key_points)} key points", not 3 <= len(q.key_points) <= 6),
            ("fewer than 2 pitfalls", len(q.pitfalls) < 2),
            ("no follow-up", not q.follow_ups),
            ("no what_it_tests", not q.what_it_tests),
            (
                "behavioral answer without Situation/Action/Result",
                q.category is Category.BEHAVIORAL
                and not all(w in q.model_answer.lower() for w in ("situation", "action", "result")),
            ),
        ]
        if bad
    }
    assert off == {}


def test_the_bundled_bank_covers_llmops_and_staff_scope() -> None:
    """Issue 15: at least 150 questions, 40 of them LLMOps over all six categories, 12 staff-level."""
    questions = QuestionLibrary.load([], include_bundled=True).all()
    llmops = [q for q in questions if q.pack == "llmops"]
    assert len(questions) >= 150 and len(llmops) >= 40
    assert {q.category for q in llmops} == set(Category)
    assert {q.pack for q in questions} == {"mlops", "llmops"}
    staff = [q for q in questions if q.difficulty is Difficulty.STAFF]
    assert len(staff) >= 12 and {q.pack for q in staff} == {"mlops", "llmops"}


# --- import -----------------------------------------------------------------------------------------

COLUMNS = [
    "id",
    "question",
    "category",
    "difficulty",
    "topics",
    "what_it_tests",
    "model_answer",
    "key_points",
    "pitfalls",
    "follow_ups",
    "example",
]


def _csv_of(library: QuestionLibrary) -> str:
    """Write questions the way a person fills the spreadsheet: lists as lines, key points 'label: terms'."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for q in library.all():
        writer.writerow(
            [
                q.id,
                q.question,
                q.category.value,
                q.difficulty.value,
                ", ".join(q.topics),
                q.what_it_tests,
                q.model_answer,
                "\n".join(f"{k.label}: {', '.join(k.terms)}" for k in q.key_points),
                " | ".join(q.pitfalls),
                "\n".join(q.follow_ups),
                q.example or "",
            ]
        )
    return out.getvalue()


def test_csv_round_trip_gives_the_same_questions(tmp_path: Path, mini_library: QuestionLibrary) -> None:
    source = tmp_path / "team.csv"
    source.write_text(_csv_of(mini_library))
    pack = tmp_path / "team-pack"
    report = run_import(source, pack, license="CC0-1.0")
    assert report.questions == 3 and report.placeholders == 0
    assert report.written == (pack / "pack.yaml", pack / "team.yaml")
    assert _lint(pack) == []
    loaded = QuestionLibrary.load([pack], include_bundled=False)
    assert [q.model_dump() for q in loaded.all()] == [q.model_dump() for q in mini_library.all()]
    assert {q.pack for q in loaded.all()} == {"team-pack"}


def test_csv_cells_ids_and_separators(tmp_path: Path) -> None:
    text = (
        "Question,Category,Difficulty,Topics,Key points,Pitfalls,Follow-ups,What it tests,Model answer\n"
        '"What is data drift, and how do you detect it?",Cloud Infrastructure,HARD,"Drift, Model Monitoring",'
        '"Definition: input distribution; Detection: psi, ks test",a | b,"c\nd",t,"Line one.\n\nLine two."\n'
        "What is data drift and how do you detect it?,,,,,,,,\n"
    )
    imported = parse_csv(text, "team.csv", taken={"data-drift-detect"})
    assert imported.problems == []
    first, second = imported.questions
    assert first["id"] == "data-drift-detect-2" and second["id"] == "data-drift-detect-3"
    assert first["category"] == "cloud-infrastructure" and first["difficulty"] == "hard"
    assert first["topics"] == ["drift", "model-monitoring"]
    assert first["key_points"] == [
        {"label": "Definition", "terms": ["input distribution"]},
        {"label": "Detection", "terms": ["psi", "ks test"]},
    ]
    assert first["pitfalls"] == ["a", "b"] and first["follow_ups"] == ["c", "d"]
    assert first["model_answer"] == "Line one.\n\nLine two."
    assert first["question"] == "What is data drift, and how do you detect it?"
    assert second["category"] == second["model_answer"] == "TODO"
    assert second["key_points"] == [{"label": "TODO", "terms": ["TODO"]}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["team.csv:1: header: the file is empty: expected a header row such as id,question,..."]),
        (
            "question,categroy,notes\nWhat is drift?,technical,x\n",
            [
                "team.csv:1: categroy: is not a known column (did you mean 'category'?)",
                "team.csv:1: notes: is not a known column (use id, question, category, difficulty, topics, "
                "what_it_tests, model_answer, key_points, pitfalls, follow_ups, example)",
            ],
        ),
        (
            "id,category\nx,technical\n",
            ["team.csv:1: question: column is missing: the header needs at least a question column"],
        ),
        (
            'id,question\na,"What is\ndrift?"\n\nb,\nc,What is skew?,extra\n',
            [
                "team.csv:5: question: is empty: every row needs a question",
                "team.csv:6: row: has 3 cells but the header has 2; quote cells that contain ','",
            ],
        ),
        (
            "id,question\nsame,What is drift?\nsame,What is skew?\n",
            ["team.csv:3: id: 'same' is used twice (first on line 2); ids must be unique"],
        ),
    ],
    ids=["empty", "unknown columns", "no question column", "bad rows", "duplicate ids"],
)
def test_bad_csv_is_reported_by_line_and_column(text: str, expected: list[str]) -> None:
    assert [str(p) for p in parse_csv(text, "team.csv").problems] == expected


MARKDOWN = """\
# Platform team questions

Anything before the first question is an introduction.

## 1. What is a feature store and when is it worth it?
- id: feature-store-worth
- category: technical
- difficulty: medium
- topics: feature-store, training-serving-skew
- what it tests: Knowing the trade-off of a shared feature platform.
- pitfalls: Buying one for a single model | Ignoring point-in-time joins

### Model answer
A feature store keeps one definition of each feature for both training and serving, so skew goes away.

- an offline store for training
- an online store for serving

### Key points
- One definition: shared definition, single definition
- Point-in-time: point-in-time, as-of join
- Online and offline: online store, offline store

### Follow-ups
- How would you backfill a new feature?
"""


def test_structured_markdown_becomes_a_complete_pack(tmp_path: Path) -> None:
    source = tmp_path / "platform.md"
    source.write_text(MARKDOWN)
    report = run_import(source, tmp_path / "pack", license="MIT")
    assert report.placeholders == 0
    assert _lint(tmp_path / "pack") == []
    [q] = QuestionLibrary.load([tmp_path / "pack"], include_bundled=False).all()
    assert q.id == "feature-store-worth"
    assert q.question == "What is a feature store and when is it worth it?"
    assert q.model_answer.endswith("- an offline store for training\n- an online store for serving")
    assert [k.label for k in q.key_points] == ["One definition", "Point-in-time", "Online and offline"]
    assert q.pitfalls == ("Buying one for a single model", "Ignoring point-in-time joins")
    assert (tmp_path / "pack" / "pack.yaml").read_text().count("description: Platform team questions") == 1


def test_markdown_headings_keep_their_text_and_cells_join_lines() -> None:
    imported = parse_markdown("## How is C# used with ML.NET? ##\n- category: technical\n", "x.md")
    assert imported.questions[0]["question"] == "How is C# used with ML.NET?"
    imported = parse_csv('question,what_it_tests\n"What is\ndrift?","Knows\n  drift"\n', "x.csv")
    assert imported.questions[0]["question"] == "What is drift?"
    assert imported.questions[0]["what_it_tests"] == "Knows drift"


def test_readme_pack_example_lints_clean(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Question packs") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```", section.index("```yaml\n") + 8)]
    assert _lint(_pack(tmp_path, example, name="readme")) == []


def test_plain_markdown_list_becomes_a_skeleton_that_lint_reports_as_incomplete(tmp_path: Path) -> None:
    source = tmp_path / "ideas.md"
    source.write_text("# Ideas\n\n- What is model drift?\n- How do you version\n  training data?\n")
    report = run_import(source, tmp_path / "ideas", license="MIT")
    assert report.questions == 2 and report.placeholders == 18
    file = tmp_path / "ideas" / "ideas.yaml"
    text = file.read_text()
    problems = _lint(tmp_path / "ideas")
    assert len(problems) == 18
    first = _line(text, "id: model-drift")
    assert problems[:9] == [
        f"{file}:{first + 2}: model-drift.category: is still the import placeholder TODO: choose one of "
        "fundamentals, technical, situational, behavioral, problem-solving, cloud-infrastructure",
        f"{file}:{first + 3}: model-drift.difficulty: is still the import placeholder TODO: "
        "choose one of easy, medium, hard, staff",
        f"{file}:{first + 4}: model-drift.topics: is still the import placeholder TODO: "
        "list topic slugs, e.g. [model-monitoring, drift]",
        f"{file}:{first + 5}: model-drift.what_it_tests: is still the import placeholder TODO: "
        "say in one sentence what a good answer shows",
        f"{file}:{first + 6}: model-drift.model_answer: is still the import placeholder TODO: "
        "write the answer a strong candidate would give aloud",
        f"{file}:{first + 8}: model-drift.key_points.0.label: is still the import placeholder TODO: "
        "name the point a good answer makes",
        f"{file}:{first + 9}: model-drift.key_points.0.terms: is still the import placeholder TODO: "
        "list words or phrases whose presence shows an answer made this point",
        f"{file}:{first + 10}: model-drift.pitfalls: is still the import placeholder TODO: "
        "list mistakes weak answers make",
        f"{file}:{first + 12}: model-drift.follow_ups: is still the import placeholder TODO: "
        "list at least one follow-up question",
    ]
    assert "question: How do you version training data?" in text
    with pytest.raises(ConfigError, match="is still the import placeholder"):
        load_library(load_settings(content_paths=str(tmp_path / "ideas"), bundled_content=False))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "## What is drift?\n- categroy: technical\n",
            ["ideas.md:2: categroy: is not a known field (did you mean 'category'?)"],
        ),
        (
            "## What is drift?\nIt is a change.\n",
            [
                "ideas.md:2: text: is outside any field: put long text under a '### Model answer' "
                "(or other field) heading"
            ],
        ),
        (
            "## What is drift?\n- category: technical\n- category: fundamentals\n",
            ["ideas.md:3: category: is given twice in this question (first on line 2)"],
        ),
        ("Just prose, no list.\n", ["ideas.md:1: questions: none found in the file"]),
        (
            "## What is drift?\n### Notes\nfree text\n- a bullet\n### Question\nx\n- category: technical\n",
            [
                "ideas.md:2: Notes: is not a known field (use id, question, category, difficulty, topics, "
                "what_it_tests, model_answer, key_points, pitfalls, follow_ups, example)",
                "ideas.md:5: Question: is the '##' heading's text, not a field",
            ],
        ),
    ],
    ids=["unknown field", "stray text", "field twice", "nothing", "unknown sections"],
)
def test_bad_markdown_is_reported_by_line(text: str, expected: list[str]) -> None:
    assert [str(p) for p in parse_markdown(text, "ideas.md").problems] == expected


def test_import_never_overwrites_without_force(tmp_path: Path) -> None:
    source = tmp_path / "team.csv"
    source.write_text("question\nWhat is drift?\n")
    pack = tmp_path / "pack"
    run_import(source, pack)
    (pack / "team.yaml").write_text("# edited by hand\n")
    (pack / "pack.yaml").write_text(MANIFEST.format(name="mine"))
    with pytest.raises(ImportRefused) as refused:
        run_import(source, pack)
    assert str(refused.value) == f"{pack / 'team.yaml'} already exists; rerun with --force to overwrite it"
    assert (pack / "team.yaml").read_text() == "# edited by hand\n"
    report = run_import(source, pack, force=True)
    assert report.written == (pack / "team.yaml",) and report.kept == (pack / "pack.yaml",)
    assert (pack / "pack.yaml").read_text() == MANIFEST.format(name="mine")  # never replaced


def test_import_ids_do_not_clash_with_the_packs_other_files(tmp_path: Path) -> None:
    pack = _pack(tmp_path, BASE, name="pack", file="old.yaml")
    source = tmp_path / "new.md"
    source.write_text("- Canary?\n- q canary\n")
    run_import(source, pack)
    assert "id: q-canary-2" in (pack / "new.yaml").read_text()


def test_unreadable_or_unsupported_sources(tmp_path: Path) -> None:
    def problems(source: Path) -> list[str]:
        with pytest.raises(ImportFailed) as failed:
            run_import(source, tmp_path / "pack")
        return [str(p) for p in failed.value.problems]

    assert problems(tmp_path / "missing.csv") == [f"{tmp_path / 'missing.csv'}:1: file: does not exist"]
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04\xff")
    assert problems(tmp_path / "sheet.xlsx") == [
        f"{tmp_path / 'sheet.xlsx'}:1: file: '.xlsx' is not supported: use a .csv (save spreadsheets as CSV) "
        "or .md file"
    ]
    (tmp_path / "latin.csv").write_bytes("question\nQu'est-ce qu'un modèle?\n".encode("latin-1"))
    assert problems(tmp_path / "latin.csv") == [
        f"{tmp_path / 'latin.csv'}:1: file: cannot be read (invalid continuation byte); save it as UTF-8 text"
    ]
    assert not (tmp_path / "pack").exists()


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("What is training/serving skew and how do you prevent it?", "training-serving-skew-prevent"),
        ("Tell me about a time you disagreed with your lead.", "time-disagreed-lead"),
        ("Qu'est-ce qu'un modèle déployé?", "qu-est-ce-qu-un-modele"),
        ("Why?", "why"),
    ],
)
def test_slugs(question: str, slug: str) -> None:
    assert slugify(question) == slug


def test_import_cli(tmp_path: Path) -> None:
    source = tmp_path / "team.csv"
    source.write_text("question,category\nWhat is drift?,fundamentals\n")
    pack = tmp_path / "pack"
    cmd = [sys.executable, "-m", "practicebot", "content", "import", str(source), "--pack", str(pack)]
    first = subprocess.run(cmd, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert f"wrote {pack / 'team.yaml'}" in first.stdout
    assert "1 question imported, 8 TODO placeholders to fill in" in first.stdout
    lint = subprocess.run(
        [sys.executable, "-m", "practicebot", "content", "lint", str(pack)], capture_output=True, text=True
    )
    assert lint.returncode == 1 and lint.stderr.startswith("1 question checked, ")  # not "0 questions"
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 1
    assert (
        again.stderr
        == f"practicebot: {pack / 'team.yaml'} already exists; rerun with --force to overwrite it\n"
    )
    source.write_text("question,colour\nWhat is drift?,red\n")
    bad = subprocess.run([*cmd, "--force"], capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines()[0].startswith(f"{source}:1: colour: is not a known column")


# --- strict vs non-strict start ----------------------------------------------------------------------

BROKEN_FILE = BASE.replace("q-canary", "q-broken").replace("category: technical", "category: astrology")


def test_strict_start_refuses_naming_file_line_and_field(tmp_path: Path) -> None:
    root = _pack(tmp_path, BROKEN_FILE)
    with pytest.raises(ConfigError) as refused:
        load_library(load_settings(content_paths=str(root), bundled_content=False))
    assert str(refused.value) == (
        f"PRACTICEBOT_CONTENT_PATHS: {root / 'questions.yaml'}:4: q-broken.category: "
        f"'astrology' is not one of {CATEGORIES}; "
        "fix it, or set PRACTICEBOT_CONTENT_STRICT=false to skip broken files"
    )


def test_non_strict_start_skips_only_the_broken_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = _pack(tmp_path, BASE, name="team", file="good.yaml")
    (root / "bad.yaml").write_text(BROKEN_FILE)
    settings = load_settings(content_paths=str(root), bundled_content=False, content_strict=False)
    with caplog.at_level(logging.WARNING, logger="practicebot.content"):
        library = load_library(settings)
    assert [q.id for q in library.all()] == ["q-canary"]
    assert caplog.messages == [
        f"content file skipped: {root / 'bad.yaml'}:4: q-broken.category: "
        f"'astrology' is not one of {CATEGORIES}"
    ]


def test_non_strict_start_skips_a_pack_whose_pack_yaml_is_broken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = _pack(tmp_path, BASE, name="good")
    bad = _pack(tmp_path, BASE.replace("q-canary", "q-other"), name="bad")
    (bad / "pack.yaml").write_text("name: bad\nversion: '1'\ndescription: d\n")
    paths = os.pathsep.join(map(str, (good, bad)))
    with caplog.at_level(logging.WARNING, logger="practicebot.content"):
        library = load_library(
            load_settings(content_paths=paths, bundled_content=False, content_strict=False)
        )
    assert [q.id for q in library.all()] == ["q-canary"]
    assert caplog.messages == [
        "content pack skipped (its pack.yaml has a problem): "
        f"{bad / 'pack.yaml'}:1: license: is required but missing"
    ]


def test_non_strict_start_with_nothing_left_still_refuses(tmp_path: Path) -> None:
    root = _pack(tmp_path, BROKEN_FILE)
    settings = load_settings(content_paths=str(root), bundled_content=False, content_strict=False)
    with pytest.raises(ConfigError, match=r"no question is left after skipping the broken files$"):
        load_library(settings)


def test_strict_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRACTICEBOT_CONTENT_STRICT", raising=False)
    assert load_settings().content_strict is True
    monkeypatch.setenv("PRACTICEBOT_CONTENT_STRICT", "false")
    assert load_settings().content_strict is False
    monkeypatch.setenv("PRACTICEBOT_CONTENT_STRICT", "sometimes")
    with pytest.raises(ConfigError, match=r"^PRACTICEBOT_CONTENT_STRICT: "):
        load_settings()


def test_the_bot_process_refuses_or_skips_at_start(tmp_path: Path) -> None:
    root = _pack(tmp_path, BASE, name="team", file="good.yaml")
    (root / "bad.yaml").write_text(BROKEN_FILE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICEBOT_", "SLACK_", "DISCORD_"))}
    env |= {
        "PRACTICEBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "PRACTICEBOT_CONTENT_PATHS": f"{root}{os.pathsep}{MINI_PACK}",
        "PRACTICEBOT_BUNDLED_CONTENT": "false",
    }
    cmd = [sys.executable, "-m", "practicebot", "console"]
    strict = subprocess.run(cmd, input="", capture_output=True, text=True, env=env, cwd=tmp_path)
    assert strict.returncode == 2
    assert strict.stderr.count("\n") == 1 and "Traceback" not in strict.stderr
    assert strict.stderr.startswith(
        f"practicebot: PRACTICEBOT_CONTENT_PATHS: {root / 'bad.yaml'}:4: q-broken.category:"
    )
    lenient = subprocess.run(
        cmd,
        input="/practice topics\n",
        capture_output=True,
        text=True,
        env=env | {"PRACTICEBOT_CONTENT_STRICT": "false"},
        cwd=tmp_path,
    )
    assert lenient.returncode == 0, lenient.stderr
    assert (
        f"WARNING practicebot.content content file skipped: {root / 'bad.yaml'}:4: q-broken.category:"
        in lenient.stderr
    )


def test_lint_names_a_key_point_that_only_bare_names_could_earn(tmp_path: Path) -> None:
    answer = "model_answer: Send a small share of traffic to the new model, compare metrics, then roll back"
    names_only = BASE.replace(
        answer, "model_answer: Send a small share of traffic with Argo and Flagger, then roll back"
    ).replace("terms: [small percentage, canary]", "terms: [Argo, Flagger]")
    root = _pack(tmp_path, names_only)
    [problem] = _lint(root)
    expected = "key_points.0.terms: every term of 'Small share of traffic first' is a single common word"
    assert expected in problem
    assert _lint(_pack(tmp_path, BASE, name="fine")) == []


def test_lint_names_a_wrong_phrase_that_the_model_answer_says(tmp_path: Path) -> None:
    rollback = "terms: [rollback, roll back]\n"
    wrong = BASE.replace(rollback, rollback + "        wrong: [never roll back, compare metrics]\n")
    root = _pack(tmp_path, wrong)
    [problem] = _lint(root)
    where = f"{root / 'questions.yaml'}:{_line(wrong, 'wrong:')}: q-canary.key_points.1.wrong.1:"
    assert problem.startswith(where)
    assert "wrong phrase 'compare metrics': the model answer says it" in problem
    fine = BASE.replace(rollback, rollback + "        wrong: [never roll back, keep the bad model]\n")
    assert _lint(_pack(tmp_path, fine, name="fine")) == []
    # a wrong phrase that one of the question's own terms says would take that term's credit too
    own = BASE.replace(rollback, rollback + "        wrong: [small percentage]\n")
    [problem] = _lint(_pack(tmp_path, own, name="own"))
    assert "wrong phrase 'small percentage': the key point text 'small percentage' says it" in problem
