"""What `content import` reads rows into: drafts of questions, the field names and aliases it knows, and
how a draft becomes a question with placeholders where something is missing (see content/importer.py)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from content.loader import Problem
from content.schema import PLACEHOLDER

FIELDS = (
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
)
LIST_FIELDS = frozenset({"topics", "key_points", "pitfalls", "follow_ups"})
MARKDOWN_SUFFIXES = (".md", ".markdown")
MULTILINE_FIELDS = frozenset({"model_answer", "example"})  # Markdown text; the others are one line
# Other spellings people use in spreadsheet headers and Markdown headings.
ALIASES = {
    "answer": "model_answer",
    "model": "model_answer",
    "what_tests": "what_it_tests",
    "tests": "what_it_tests",
    "topic": "topics",
    "tags": "topics",
    "key_point": "key_points",
    "keypoints": "key_points",
    "pitfall": "pitfalls",
    "mistakes": "pitfalls",
    "follow_up": "follow_ups",
    "followups": "follow_ups",
    "followup": "follow_ups",
    "examples": "example",
    "level": "difficulty",
}
MAX_ID_WORDS = 6
MAX_ID_CHARS = 60
# Words that make an id longer without telling questions apart ("what is ... and how do you ...").
_FILLER_WORDS = (
    "a an and are about as be can could describe do does explain for how i in is it its me of on or "
    "should tell the their this to we what when where which who why would you your with"
)
_FILLER = frozenset(_FILLER_WORDS.split())

OnRow = Callable[[int, int], None]  # (rows done, rows in total), for a progress bar


class ImportFailed(Exception):
    """The source cannot be turned into a pack; `problems` name file, line and field. Nothing is written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ImportRefused(Exception):
    """A file the import would write exists already and --force was not given."""


@dataclass
class Draft:
    """One question as found in the source: raw texts / raw list items, and where each came from."""

    line: int
    values: dict[str, str | list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Imported:
    source: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""  # a Markdown `# Title`: the description of a new pack.yaml
    problems: list[Problem] = field(default_factory=list)

    @property
    def placeholders(self) -> int:
        return sum(_count_placeholders(q) for q in self.questions)


# --- names, slugs, cells -----------------------------------------------------------------------------


def field_name(raw: str) -> str:
    """'Follow-ups', 'key points', 'What it tests' -> the schema's field name (or the normalised text)."""
    name = re.sub(r"[\s\-]+", "_", raw.strip().lower()).strip("_")
    return ALIASES.get(name, name)


def unknown_field(name: str, what: str) -> str:
    close = difflib.get_close_matches(name, FIELDS, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "use " + ", ".join(FIELDS)
    return f"is not a known {what} ({hint})"


def slugify(text: str, *, max_words: int = MAX_ID_WORDS, max_chars: int = MAX_ID_CHARS) -> str:
    """Lowercase ASCII words joined by '-', filler words dropped: 'What is data drift?' -> 'data-drift'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    content = [w for w in words if w not in _FILLER]
    chosen: list[str] = []
    for word in content if len(content) >= 2 else words:
        if len(chosen) == max_words or len("-".join([*chosen, word])) > max_chars:
            break
        chosen.append(word)
    return "-".join(chosen)


def _unique_id(question: str, taken: set[str], row: int) -> str:
    base = slugify(question)
    if len(base) < 2:
        base = f"question-{row}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def split_items(cell: str, name: str) -> list[str]:
    """A list cell -> items: one per line or separated by ' | '; topics also by ',', key points by ';'."""
    separators = [r"\n", r" \| "]
    if name == "topics":
        separators.append(",")
    if name == "key_points":
        separators.append(";")
    items = re.split("|".join(separators), cell)
    return [_strip_bullet(item) for item in items if _strip_bullet(item)]


def _strip_bullet(item: str) -> str:
    return re.sub(r"^(?:[-*+•]|\d+[.)])\s+", "", item.strip()).strip()


def key_point(item: str) -> dict[str, Any]:
    """'Canary first: canary, small percentage' -> {label, terms}; a missing part becomes TODO."""
    label, sep, terms = item.partition(":")
    parsed = [t.strip() for t in terms.split(",") if t.strip()] if sep else []
    return {"label": label.strip() or PLACEHOLDER, "terms": FlowList(parsed or [PLACEHOLDER])}


def _choice(value: str) -> str:
    """'Cloud Infrastructure' -> 'cloud-infrastructure'. Unknown values are kept for lint to report."""
    return re.sub(r"[\s_]+", "-", value.strip().lower())


def _topic(value: str) -> str:
    return slugify(value, max_words=8, max_chars=80) or value


def to_question(draft: Draft, taken: set[str], row: int) -> dict[str, Any]:
    """A draft -> a question mapping in the schema's field order, TODO where the source said nothing."""

    def text(name: str) -> str:
        value = draft.values.get(name, "")
        cleaned = _clean_text(value if isinstance(value, str) else "\n".join(value))
        return cleaned if name in MULTILINE_FIELDS else " ".join(cleaned.split())

    def items(name: str) -> list[str]:
        value = draft.values.get(name, [])
        return split_items(value, name) if isinstance(value, str) else [i for i in value if i]

    category, difficulty = _choice(text("category")), _choice(text("difficulty"))
    question: dict[str, Any] = {
        "id": text("id") or _unique_id(text("question"), taken, row),
        "question": text("question") or PLACEHOLDER,
        "category": category or PLACEHOLDER,
        "difficulty": difficulty or PLACEHOLDER,
        "topics": FlowList([_topic(t) for t in items("topics")] or [PLACEHOLDER]),
        "what_it_tests": text("what_it_tests") or PLACEHOLDER,
        "model_answer": text("model_answer") or PLACEHOLDER,
        "key_points": [key_point(i) for i in items("key_points")]
        or [{"label": PLACEHOLDER, "terms": FlowList([PLACEHOLDER])}],
        "pitfalls": items("pitfalls") or [PLACEHOLDER],
        "follow_ups": items("follow_ups") or [PLACEHOLDER],
    }
    if text("example"):
        question["example"] = text("example")
    return question


def _clean_text(value: str) -> str:
    """Trim each line's end (YAML block style needs it) and the blank lines around the text."""
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


def _count_placeholders(value: object) -> int:
    if isinstance(value, str):
        return int(value == PLACEHOLDER)
    if isinstance(value, dict):
        return sum(_count_placeholders(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_placeholders(v) for v in value)
    return 0


def finish_drafts(
    drafts: list[Draft], result: Imported, taken: Iterable[str], on_row: OnRow | None
) -> Imported:
    """Drafts -> questions, with ids checked and generated; reports progress per row."""
    explicit: dict[str, int] = {}
    for draft in drafts:
        qid = draft.values.get("id")
        if isinstance(qid, str) and qid.strip():
            qid = qid.strip()
            if qid in explicit:
                result.problems.append(
                    Problem(
                        result.source,
                        draft.lines.get("id", draft.line),
                        "id",
                        f"'{qid}' is used twice (first on line {explicit[qid]}); ids must be unique",
                    )
                )
            explicit.setdefault(qid, draft.lines.get("id", draft.line))
    used = set(taken) | set(explicit)
    for n, draft in enumerate(drafts, 1):
        result.questions.append(to_question(draft, used, draft.line))
        if on_row:
            on_row(n, len(drafts))
    if not drafts and not result.problems:
        result.problems.append(Problem(result.source, 1, "questions", "none found in the file"))
    return result


class FlowList(list[str]):
    """A short list written on one line: topics: [drift, monitoring]."""
