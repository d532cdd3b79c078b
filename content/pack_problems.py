"""Problems in a pack and how they are worded: `file:line: field: message`, with a hint that says what to
write instead of pydantic's own words."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from content.schema import PLACEHOLDER, Category, Difficulty, KeyPoint, Question


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


def line_of(path: str, lines: dict[str, int], default: int) -> int:
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


def is_placeholder(value: object) -> bool:
    """`TODO` or `TODO: what to write` (a real text merely starting with the word is fine)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text == PLACEHOLDER or text.startswith(f"{PLACEHOLDER}:")


def _placeholder_paths(data: object, prefix: str = "") -> list[str]:
    """Fields still holding the import placeholder. A list of texts is reported once, as the list."""
    if is_placeholder(data):
        return [prefix.rstrip(".")]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _placeholder_paths(v, f"{prefix}{k}.")]
    if isinstance(data, list):
        if any(is_placeholder(v) for v in data):
            return [prefix.rstrip(".")]
        return [p for i, v in enumerate(data) for p in _placeholder_paths(v, f"{prefix}{i}.")]
    return []


def placeholder_problems(
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
                line_of(path, lines, base_line),
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


def validation_problems(
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
        line = line_of(path, lines, base_line) if path else base_line
        out.append(Problem(file, line, prefix + (path or "(question)"), _message(err, model)))
    return out
