"""Load question packs from folders, keeping the file and line of every field for clear error reports."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from content.pack_problems import ContentError, Problem, placeholder_problems, validation_problems
from content.schema import ID_PATTERN, PackManifest, Question

__all__ = [
    "BUNDLED_PACKS_DIR",
    "MANIFEST_NAME",
    "ContentError",
    "LoadedPack",
    "Problem",
    "load_pack",
    "load_packs",
]

BUNDLED_PACKS_DIR = Path(__file__).parent / "packs"
MANIFEST_NAME = "pack.yaml"
QUESTION_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedPack:
    root: Path
    manifest: PackManifest | None
    questions: list[Question] = field(default_factory=list)
    # question id -> (file, line) so later checks (duplicates, matching) can point at the source.
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)
    field_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    manifest_lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    entries: int = 0  # question entries read, valid or not (`content lint` counts what it checked)

    @property
    def manifest_file(self) -> str:
        return str(self.root / MANIFEST_NAME)


# libyaml's parser when PyYAML was built with it: the same nodes and line marks, several times faster on
# the bundled packs (about 30,000 terms).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _construct(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_document(node) if node is not None else None


def _compose(path: Path, problems: list[Problem]) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), 1, "file", f"cannot be read: {exc}"))
        return None
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(Problem(str(path), line, "yaml", str(getattr(exc, "problem", exc))))
        return None


def _field_lines(
    node: yaml.Node, file: str, problems: list[Problem], prefix: str = "", out: dict[str, int] | None = None
) -> dict[str, int]:
    """Dotted path ("key_points.1.terms") -> line of every field and list item under `node`. A key given
    twice in one mapping is a problem: YAML would silently keep only the second value."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            path = f"{prefix}{key.value}"
            if key.value in seen:
                problems.append(
                    Problem(
                        file,
                        _line(key),
                        path,
                        f"is given twice (first at line {seen[key.value]}); keep one, "
                        "YAML would silently use only the last",
                    )
                )
                continue
            seen[key.value] = out[path] = _line(key)
            _field_lines(value, file, problems, f"{path}.", out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[f"{prefix}{i}"] = _line(item)
            _field_lines(item, file, problems, f"{prefix}{i}.", out)
    return out


def _load_manifest(root: Path, problems: list[Problem], lines: dict[str, int]) -> PackManifest | None:
    path = root / MANIFEST_NAME
    if not path.is_file():
        problems.append(Problem(str(path), 1, "file", "missing: every pack needs a pack.yaml"))
        return None
    before = len(problems)
    node = _compose(path, problems)
    if node is None:
        if len(problems) == before:
            problems.append(
                Problem(
                    str(path), 1, "pack", "the file is empty: give name, version, description and license"
                )
            )
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(str(path), _line(node), "pack", "must be a mapping of name, version, ..."))
        return None
    lines.update(_field_lines(node, str(path), problems))
    data = _construct(node)
    placeholders, skip = placeholder_problems(data, str(path), _line(node), lines)
    problems.extend(placeholders)
    try:
        manifest = PackManifest.model_validate(data)
    except ValidationError as exc:
        problems.extend(
            validation_problems(exc, str(path), _line(node), lines, model=PackManifest, skip=skip)
        )
        return None
    return manifest if len(problems) == before else None


def _question_nodes(path: Path, problems: list[Problem]) -> list[yaml.MappingNode]:
    before = len(problems)
    node = _compose(path, problems)
    if node is None:
        if len(problems) == before:
            problems.append(
                Problem(
                    str(path), 1, "questions", "the file is empty: add a questions: list or delete the file"
                )
            )
        return []
    seq = node
    if isinstance(node, yaml.MappingNode):
        lookup = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        if "questions" not in lookup:
            problems.append(Problem(str(path), _line(node), "questions", "is required: a list of questions"))
            return []
        seq = lookup["questions"]
    if not isinstance(seq, yaml.SequenceNode):
        problems.append(Problem(str(path), _line(seq), "questions", "must be a list of questions"))
        return []
    items = []
    for item in seq.value:
        if isinstance(item, yaml.MappingNode):
            items.append(item)
        else:
            problems.append(Problem(str(path), _line(item), "question", "must be a mapping of fields"))
    return items


def load_pack(root: Path) -> LoadedPack:
    root = Path(root)
    pack = LoadedPack(root=root, manifest=None)
    if not root.is_dir():
        pack.problems.append(Problem(str(root), 1, "path", "is not a readable folder"))
        return pack
    pack.manifest = _load_manifest(root, pack.problems, pack.manifest_lines)
    pack_name = pack.manifest.name if pack.manifest else root.name
    files = sorted(p for p in root.rglob("*") if p.suffix in QUESTION_SUFFIXES and p.name != MANIFEST_NAME)
    if not files:
        pack.problems.append(Problem(str(root), 1, "questions", "the pack has no question files"))
    for path in files:
        for node in _question_nodes(path, pack.problems):
            pack.entries += 1
            before = len(pack.problems)
            twice: list[Problem] = []
            key_lines = _field_lines(node, str(path), twice)
            data = _construct(node)
            qid = data.get("id") if isinstance(data, dict) else None
            prefix = f"{qid}." if isinstance(qid, str) and re.fullmatch(ID_PATTERN, qid) else ""
            pack.problems.extend(Problem(p.file, p.line, prefix + p.field, p.message) for p in twice)
            placeholders, skip = placeholder_problems(data, str(path), _line(node), key_lines, prefix)
            pack.problems.extend(placeholders)
            try:
                question = Question.model_validate({**data, "pack": pack_name})
            except ValidationError as exc:
                pack.problems.extend(
                    validation_problems(exc, str(path), _line(node), key_lines, prefix, skip=skip)
                )
                continue
            if len(pack.problems) > before:
                continue  # a placeholder or a key given twice: never ask a half-written question
            if question.id in pack.locations:
                first_file, first_line = pack.locations[question.id]
                pack.problems.append(
                    Problem(
                        str(path),
                        key_lines.get("id", _line(node)),
                        f"{question.id}.id",
                        f"duplicate id (first defined at {first_file}:{first_line})",
                    )
                )
                continue
            pack.questions.append(question)
            pack.locations[question.id] = (str(path), key_lines.get("id", _line(node)))
            pack.field_lines[question.id] = key_lines
    return pack


def split_paths(value: str) -> list[Path]:
    """`PRACTICEBOT_CONTENT_PATHS` holds several folders separated by the OS path separator."""
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def pack_roots(paths: Iterable[Path]) -> list[Path]:
    """A path is a pack (it has pack.yaml) or a folder of packs."""
    roots: list[Path] = []
    for path in paths:
        if (path / MANIFEST_NAME).is_file() or not path.is_dir():
            roots.append(path)
        else:
            children = sorted(p for p in path.iterdir() if (p / MANIFEST_NAME).is_file())
            roots.extend(children or [path])
    return roots


def load_packs(paths: Iterable[Path], *, include_bundled: bool = True) -> list[LoadedPack]:
    roots = pack_roots(([BUNDLED_PACKS_DIR] if include_bundled else []) + list(paths))
    return [load_pack(root) for root in roots]


def cross_pack_problems(packs: Sequence[LoadedPack]) -> list[Problem]:
    seen: dict[str, tuple[str, int]] = {}
    problems: list[Problem] = []
    for pack in packs:
        for q in pack.questions:
            file, line = pack.locations[q.id]
            if q.id in seen and seen[q.id][0] != file:
                first = seen[q.id]
                problems.append(
                    Problem(
                        file,
                        line,
                        f"{q.id}.id",
                        f"duplicate id across packs (first defined at {first[0]}:{first[1]})",
                    )
                )
            seen.setdefault(q.id, (file, line))
    return problems
