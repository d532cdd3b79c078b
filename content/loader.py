"""Load question packs from folders, keeping the file and line of every field for clear error reports."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from content.schema import ID_PATTERN, PLACEHOLDER, Category, Difficulty, KeyPoint, PackManifest, Question

BUNDLED_PACKS_DIR = Path(__file__).parent / "packs"
MANIFEST_NAME = "pack.yaml"
QUESTION_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a pack, reported as `file:line: field: message`."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ContentError(Exception):
    """Packs that cannot be used; `roots` are the pack folders the problems are in."""

    def __init__(self, problems: Sequence[Problem], *, roots: Sequence[Path] = ()) -> None:
        self.problems = sorted(problems)
        self.roots = list(roots)
        super().__init__("\n".join(str(p) for p in self.problems))


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

    @property
    def manifest_file(self) -> str:
        return str(self.root / MANIFEST_NAME)


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
        return yaml.compose(text, Loader=yaml.SafeLoader)
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


def _line_of(path: str, lines: dict[str, int], default: int) -> int:
    """The line of the deepest known part of a dotted path (a missing field falls back to its parent)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        line = lines.get(".".join(parts[:end]))
        if line is not None:
            return line
    return default


# What a list holds, for "is empty: list at least one ..." messages.
_LIST_ITEMS = {
    "key_points": "key point (a label and the terms that show an answer covered it)",
    "terms": "word or phrase that shows an answer made this point",
    "topics": "topic, e.g. model-monitoring",
    "pitfalls": "pitfall (a mistake weak answers make)",
    "follow_ups": "follow-up question",
}
_LIST_FIELDS = frozenset(_LIST_ITEMS)

# What to write instead of an import placeholder, per field.
PLACEHOLDER_HINTS = {
    "id": "use lowercase words joined by '-', e.g. feature-store-basics",
    "question": "write the question as the channel should read it",
    "category": "choose one of " + ", ".join(c.value for c in Category),
    "difficulty": "choose one of " + ", ".join(d.value for d in Difficulty),
    "topics": "list topic slugs, e.g. [model-monitoring, drift]",
    "what_it_tests": "say in one sentence what a good answer shows",
    "model_answer": "write the answer a strong candidate would give aloud",
    "label": "name the point a good answer makes",
    "terms": "list words or phrases whose presence shows an answer made this point",
    "pitfalls": "list mistakes weak answers make",
    "follow_ups": "list at least one follow-up question",
    "example": "write a concrete example, or delete the field",
    "name": "name the pack: lowercase words joined by '-'",
    "version": "give a version, e.g. '0.1.0'",
    "description": "say in one sentence what the pack covers",
    "license": "name the license, e.g. CC-BY-4.0, or 'proprietary'",
    "language": "give a language code, e.g. en",
}


def _is_placeholder(value: object) -> bool:
    """`TODO` or `TODO: what to write` (a real text merely starting with the word is fine)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text == PLACEHOLDER or text.startswith(f"{PLACEHOLDER}:")


def _placeholder_paths(data: object, prefix: str = "") -> list[str]:
    """Fields still holding the import placeholder. A list of texts is reported once, as the list."""
    if _is_placeholder(data):
        return [prefix.rstrip(".")]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _placeholder_paths(v, f"{prefix}{k}.")]
    if isinstance(data, list):
        if any(_is_placeholder(v) for v in data):
            return [prefix.rstrip(".")]
        return [p for i, v in enumerate(data) for p in _placeholder_paths(v, f"{prefix}{i}.")]
    return []


def _placeholder_problems(
    data: object, file: str, base_line: int, lines: dict[str, int], prefix: str = ""
) -> tuple[list[Problem], list[str]]:
    paths = [p for p in _placeholder_paths(data) if p]
    problems = []
    for path in paths:
        name = next((part for part in reversed(path.split(".")) if not part.isdigit()), path)
        hint = PLACEHOLDER_HINTS.get(name, "fill it in")
        problems.append(
            Problem(
                file,
                _line_of(path, lines, base_line),
                prefix + path,
                f"is still the import placeholder {PLACEHOLDER}: {hint}",
            )
        )
    return problems, paths


def _known_fields(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    if model is Question and len(loc) >= 3 and loc[0] == "key_points":
        model = KeyPoint
    return [name for name in model.model_fields if name != "pack"]


def _message(err: ErrorDetails, model: type[BaseModel]) -> str:
    """A pydantic error as one sentence a pack author can act on."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
    loc = err["loc"]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    is_list = name in _LIST_FIELDS and (not loc or isinstance(loc[-1], str))
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        known = _known_fields(model, loc)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(known)
        return f"is not a known field ({hint})"
    if kind == "enum":
        return f"{value!r} is not one of {ctx.get('expected', '')}"
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return f"is {len(str(value))} characters; at most {limit} fit a chat message, so shorten it"
    if kind == "string_too_short":
        if not str(value).strip():
            return "is empty"
        return f"is {len(str(value))} characters; write at least {ctx.get('min_length')}"
    if is_list and (kind == "too_short" or value is None or value == ""):
        return f"is empty: list at least one {_LIST_ITEMS[name]}"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items; at most {ctx.get('max_length')} fit the reveal card"
    if kind == "string_pattern_mismatch":
        if name == "id":
            return (
                f"{value!r} is not a valid id: use 2-80 lowercase letters, digits and '-', "
                "e.g. feature-store-basics"
            )
        return f"{value!r} must be lowercase letters, digits and '-', e.g. team-mlops"
    if kind in ("tuple_type", "list_type"):
        return "must be a list, e.g. [first, second]"
    if kind == "string_type":
        if value is None:
            return "is empty"
        return f"must be text, not {type(value).__name__}; put it in quotes, e.g. '{value}'"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if name == "key_points":
            return "must be a mapping with a label and terms, e.g. {label: Canary, terms: [canary]}"
        return "must be a mapping of fields"
    return str(err["msg"]).removeprefix("Value error, ")


def _validation_problems(
    exc: ValidationError,
    file: str,
    base_line: int,
    lines: dict[str, int],
    prefix: str = "",
    *,
    model: type[BaseModel] = Question,
    skip: Sequence[str] = (),
) -> list[Problem]:
    """One Problem per pydantic error, at the line of the field (or item) it is about. Errors inside a
    field already reported as a placeholder (`skip`) are left out: one clear line per mistake."""
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        if any(path == s or path.startswith(f"{s}.") for s in skip):
            continue
        line = _line_of(path, lines, base_line) if path else base_line
        out.append(Problem(file, line, prefix + (path or "(question)"), _message(err, model)))
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
    placeholders, skip = _placeholder_problems(data, str(path), _line(node), lines)
    problems.extend(placeholders)
    try:
        manifest = PackManifest.model_validate(data)
    except ValidationError as exc:
        problems.extend(
            _validation_problems(exc, str(path), _line(node), lines, model=PackManifest, skip=skip)
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
            before = len(pack.problems)
            twice: list[Problem] = []
            key_lines = _field_lines(node, str(path), twice)
            data = _construct(node)
            qid = data.get("id") if isinstance(data, dict) else None
            prefix = f"{qid}." if isinstance(qid, str) and re.fullmatch(ID_PATTERN, qid) else ""
            pack.problems.extend(Problem(p.file, p.line, prefix + p.field, p.message) for p in twice)
            placeholders, skip = _placeholder_problems(data, str(path), _line(node), key_lines, prefix)
            pack.problems.extend(placeholders)
            try:
                question = Question.model_validate({**data, "pack": pack_name})
            except ValidationError as exc:
                pack.problems.extend(
                    _validation_problems(exc, str(path), _line(node), key_lines, prefix, skip=skip)
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
