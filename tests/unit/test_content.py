"""Packs: loading, and lint reports naming file, line and field for every problem at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import MINI_PACK

from content.library import QuestionLibrary
from content.lint import lint_paths
from content.loader import load_pack

MANIFEST = "name: broken\nversion: '1'\ndescription: d\nlicense: CC0-1.0\n"
GOOD = (MINI_PACK / "questions.yaml").read_text()


def _pack(tmp_path: Path, questions: str, name: str = "broken", manifest: str = MANIFEST) -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "pack.yaml").write_text(manifest.replace("broken", name))
    (root / "questions.yaml").write_text(questions)
    return root


def test_mini_pack_loads(mini_library: QuestionLibrary) -> None:
    assert [q.id for q in mini_library.all()] == ["mini-canary", "mini-conflict", "mini-skew"]
    skew = mini_library.get("mini-skew")
    assert skew is not None and skew.pack == "mini"
    assert "\n" not in skew.model_answer  # hard-wrapped YAML lines are joined for chat


def test_every_problem_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    broken = GOOD.replace("category: technical", "category: astrology", 1)
    broken = broken.replace("    difficulty: hard\n", "", 1)
    broken = broken.replace("terms: [situation, project]", "terms: [the, of]", 1)
    root = _pack(tmp_path, broken)
    problems, checked = lint_paths([root])
    rendered = [str(p) for p in problems]
    file = str(root / "questions.yaml")
    lines = broken.splitlines()
    category_line = next(i for i, line in enumerate(lines, 1) if "astrology" in line)
    assert f"{file}:{category_line}: mini-canary.category: 'astrology' is not one of" in "\n".join(rendered)
    assert any(
        r.startswith(f"{file}:") and "mini-conflict.difficulty: is required but missing" in r
        for r in rendered
    )
    assert checked == 3  # every entry was checked, the two broken ones too (issue 16: not "0 checked")


def test_unmatchable_terms_and_duplicate_ids_across_packs(tmp_path: Path) -> None:
    root_a = _pack(tmp_path, GOOD.replace("terms: [situation, project]", "terms: [the, of]"), name="a")
    root_b = _pack(tmp_path, GOOD, name="b")
    problems, _ = lint_paths([root_a, root_b])
    rendered = "\n".join(map(str, problems))
    assert "mini-conflict.key_points.0.terms: no term of 'Concrete situation' can ever match" in rendered
    assert rendered.count("duplicate id across packs") == 3


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    root = _pack(tmp_path, "questions:\n  - id: x\n    question: [unclosed\n")
    pack = load_pack(root)
    [problem] = pack.problems
    assert problem.file.endswith("questions.yaml") and problem.field == "yaml" and problem.line >= 3


def test_lint_cli_exit_codes(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "practicebot", "content", "lint", str(MINI_PACK)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "3 questions checked, 0 problems" in ok.stderr
    root = _pack(tmp_path, GOOD.replace("difficulty: easy", "difficulty: trivial"))
    bad = subprocess.run(
        [sys.executable, "-m", "practicebot", "content", "lint", str(root)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "mini-canary.difficulty: 'trivial' is not one of" in bad.stdout
