"""`practicebot content import`: a spreadsheet (CSV) or a Markdown list of questions -> a pack skeleton.

Parsing and rendering are pure (text in, data or YAML text out); only `run_import` touches files. The
importer converts structure and fills what is missing with the placeholder `TODO`; checking the content
(categories, lengths, matchable terms ...) is left to `content lint`, which the CLI runs right after.

CSV: a header row naming the columns (`question` is required, the others optional, in any order):
    id, question, category, difficulty, topics, what_it_tests, model_answer, key_points, pitfalls,
    follow_ups, example
List cells (topics, key_points, pitfalls, follow_ups) hold one item per line, or items separated by " | ";
topics may also be separated by commas and key points by ";". A key point is `label: term, term`.

Markdown, structured: each `## question` heading starts a question; under it `- field: value` lines and/or
`### Field` sections (a section's bullets are list items, its text is the field's text). Markdown, plain:
without any `##` heading, every top-level bullet or numbered item is a question and gets a skeleton.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from content.loader import MANIFEST_NAME, Problem, load_pack
from content.schema import PLACEHOLDER, Category, Difficulty

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


def _unknown_field(name: str, what: str) -> str:
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
    return {"label": label.strip() or PLACEHOLDER, "terms": _Flow(parsed or [PLACEHOLDER])}


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
        "topics": _Flow([_topic(t) for t in items("topics")] or [PLACEHOLDER]),
        "what_it_tests": text("what_it_tests") or PLACEHOLDER,
        "model_answer": text("model_answer") or PLACEHOLDER,
        "key_points": [key_point(i) for i in items("key_points")]
        or [{"label": PLACEHOLDER, "terms": _Flow([PLACEHOLDER])}],
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


def _finish(drafts: list[Draft], result: Imported, taken: Iterable[str], on_row: OnRow | None) -> Imported:
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


# --- CSV ---------------------------------------------------------------------------------------------


def parse_csv(text: str, source: str, *, taken: Iterable[str] = (), on_row: OnRow | None = None) -> Imported:
    """A spreadsheet exported as CSV (comma, semicolon or tab separated; Excel's BOM is fine)."""
    result = Imported(source)
    text = text.lstrip("\ufeff")
    if not text.strip():
        result.problems.append(
            Problem(source, 1, "header", "the file is empty: expected a header row such as id,question,...")
        )
        return result
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        rows: list[tuple[int, list[str]]] = []
        previous_end = reader.line_num
        for row in reader:
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error as exc:
        result.problems.append(Problem(source, reader.line_num, "csv", f"cannot be read: {exc}"))
        return result

    columns = [field_name(h) for h in header]
    for raw, name in zip(header, columns, strict=True):
        if not name:
            result.problems.append(Problem(source, 1, "header", "has an empty column name"))
        elif name not in FIELDS:
            result.problems.append(Problem(source, 1, raw.strip(), _unknown_field(name, "column")))
    for name in sorted({c for c in columns if c in FIELDS and columns.count(c) > 1}):
        result.problems.append(Problem(source, 1, name, "appears twice in the header; keep one column"))
    if "question" not in columns:
        result.problems.append(
            Problem(source, 1, "question", "column is missing: the header needs at least a question column")
        )
    if result.problems:
        return result

    drafts = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank row
        if len(row) > len(columns):
            result.problems.append(
                Problem(
                    source,
                    line,
                    "row",
                    f"has {len(row)} cells but the header has {len(columns)}; "
                    f"quote cells that contain '{delimiter}'",
                )
            )
            continue
        values = {name: cell for name, cell in zip(columns, row, strict=False) if cell.strip()}
        if not values.get("question", "").strip():
            result.problems.append(Problem(source, line, "question", "is empty: every row needs a question"))
            continue
        drafts.append(Draft(line=line, values=dict(values), lines=dict.fromkeys(values, line)))
    return _finish(drafts, result, taken, on_row)


# --- Markdown ----------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_NUMBERED_QUESTION = re.compile(r"^(?:q?\d+[.):]\s+)", re.IGNORECASE)


@dataclass
class _Field:
    name: str
    section: bool  # a `### Field` section (runs to the next heading) or a `- field: value` bullet


def parse_markdown(
    text: str, source: str, *, taken: Iterable[str] = (), on_row: OnRow | None = None
) -> Imported:
    """A Markdown file: `## question` blocks with fields, or a plain bullet list of questions."""
    lines = text.lstrip("\ufeff").splitlines()
    structured, in_fence = False, False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := _HEADING.match(line)) and len(m.group(1)) == 2:
            structured = True
            break
    result = Imported(source)
    drafts = _structured(lines, result) if structured else _plain(lines, result)
    if result.problems:
        return result
    return _finish(drafts, result, taken, on_row)


def _plain(lines: Sequence[str], result: Imported) -> list[Draft]:
    drafts: list[Draft] = []
    current: Draft | None = None
    in_fence = False
    for n, line in enumerate(lines, 1):
        if _FENCE.match(line):
            in_fence, current = not in_fence, None
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            if len(heading.group(1)) == 1 and not result.title:
                result.title = heading.group(2)
            current = None
        elif bullet and len(bullet.group(1).expandtabs(4)) < 2:
            current = Draft(line=n, values={"question": bullet.group(2).strip()}, lines={"question": n})
            drafts.append(current)
        elif current is not None and line.strip() and line[:1].isspace() and not bullet:
            current.values["question"] = f"{current.values['question']} {line.strip()}"
        else:
            current = None  # prose between the items is not part of any question
    return drafts


def _structured(lines: Sequence[str], result: Imported) -> list[Draft]:
    source = result.source
    drafts: list[Draft] = []
    draft: Draft | None = None
    current: _Field | None = None
    in_fence = False

    def problem(n: int, name: str, message: str) -> None:
        result.problems.append(Problem(source, n, name, message))

    def start(n: int, raw: str, value: str, *, section: bool) -> _Field | None:
        assert draft is not None
        name = field_name(raw)
        if name == "question":
            problem(n, raw.strip(), "is the '##' heading's text, not a field")
            return _Field("", section)
        if name not in FIELDS:
            problem(n, raw.strip(), _unknown_field(name, "field"))
            return _Field("", section)  # swallow its content: one error, not one per line
        if name in draft.values:
            problem(n, name, f"is given twice in this question (first on line {draft.lines[name]})")
            return _Field("", section)
        draft.lines[name] = n
        if name in LIST_FIELDS:
            draft.values[name] = split_items(value, name) if value else []
        else:
            draft.values[name] = value
        return _Field(name, section)

    def add_text(value: str) -> None:
        assert draft is not None and current is not None
        before = draft.values[current.name]
        if isinstance(before, list):
            if before:
                before[-1] = f"{before[-1]} {value.strip()}".strip()
            return
        draft.values[current.name] = f"{before}\n{value}" if before else value

    for n, line in enumerate(lines, 1):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (heading := _HEADING.match(line)):
            level, title = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                if draft is None and not result.title:
                    result.title = title
                elif draft is not None:
                    problem(n, "heading", "a '#' heading inside a question: use '##' for questions")
                current = None
            elif level == 2:
                question = _NUMBERED_QUESTION.sub("", title).strip()
                draft = Draft(line=n, values={"question": question}, lines={"question": n})
                drafts.append(draft)
                current = None
            elif draft is not None:
                current = start(n, title, "", section=True)
            continue
        if draft is None:
            continue  # an introduction before the first question
        bullet = _BULLET.match(line) if not in_fence else None
        indented = line[:1].isspace()
        if current is not None and not current.name and (current.section or indented or not line.strip()):
            continue  # the content of a field already reported as wrong
        if current is not None and current.section:
            if current.name in LIST_FIELDS and bullet and not indented:
                items = draft.values[current.name]
                assert isinstance(items, list)
                items.append(bullet.group(2).strip())
            elif current.name in LIST_FIELDS and line.strip():
                if not draft.values[current.name]:
                    problem(n, current.name, "expected '- item' lines under this section")
                else:
                    add_text(line)
            elif current.name not in LIST_FIELDS:
                add_text(line)
            continue
        if not line.strip():
            continue
        if bullet and not indented:
            match = _FIELD.match(bullet.group(2))
            if match is None:
                problem(
                    n,
                    "field",
                    "expected '- field: value' (e.g. '- category: technical') or a '### Field' section",
                )
                current = None
            else:
                current = start(n, match.group(1), match.group(2).strip(), section=False)
        elif current is not None and indented:
            if bullet and current.name in LIST_FIELDS:
                items = draft.values[current.name]
                assert isinstance(items, list)
                items.append(bullet.group(2).strip())
            else:
                add_text(line.strip())
        else:
            problem(
                n,
                "text",
                "is outside any field: put long text under a '### Model answer' (or other field) heading",
            )
    return drafts


# --- YAML output -------------------------------------------------------------------------------------


class _Flow(list[str]):
    """A short list written on one line: topics: [drift, monitoring]."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow(dumper: yaml.SafeDumper, data: list[str]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)


def to_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=108)


def render_questions(imported: Imported, pack_dir: str) -> str:
    head = [f"# Imported from {Path(imported.source).name} by `practicebot content import`."]
    if imported.placeholders:
        head.append(
            f"# Replace every {PLACEHOLDER} ({imported.placeholders} left), then check the pack with:"
        )
    else:
        head.append("# Check the pack with:")
    head += [
        f"#   practicebot content lint {pack_dir}",
        "# category: " + " | ".join(c.value for c in Category),
        "# difficulty: " + " | ".join(d.value for d in Difficulty),
        "# key_points: a short label plus the terms (words or phrases) that show an answer covered it.",
    ]
    return "\n".join(head) + "\n" + to_yaml({"questions": imported.questions})


def render_manifest(name: str, description: str, license: str | None) -> str:
    manifest = {
        "name": name,
        "version": "0.1.0",
        "description": description,
        "license": license or f"{PLACEHOLDER}: choose a license, e.g. CC-BY-4.0, or write proprietary",
        "language": "en",
    }
    return "# The pack's identity; see README 'Question packs'.\n" + to_yaml(manifest)


# --- files -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    text: str
    keep_existing: bool = False  # pack.yaml: an existing one is kept (it holds the pack's name, license)


@dataclass(frozen=True)
class ImportReport:
    questions: int
    placeholders: int
    written: tuple[Path, ...]
    kept: tuple[Path, ...]


def questions_file_name(source: Path) -> str:
    stem = slugify(source.stem, max_words=8, max_chars=60) or "questions"
    return "questions.yaml" if f"{stem}.yaml" == MANIFEST_NAME else f"{stem}.yaml"


def parse_source(
    source: Path, text: str, *, taken: Iterable[str] = (), on_row: OnRow | None = None
) -> Imported:
    if source.suffix.lower() == ".csv":
        return parse_csv(text, str(source), taken=taken, on_row=on_row)
    if source.suffix.lower() in MARKDOWN_SUFFIXES:
        return parse_markdown(text, str(source), taken=taken, on_row=on_row)
    return Imported(str(source), problems=[_unsupported(source)])


def _unsupported(source: Path) -> Problem:
    what = source.suffix or source.name
    return Problem(
        str(source),
        1,
        "file",
        f"'{what}' is not supported: use a .csv (save spreadsheets as CSV) or .md file",
    )


def plan_pack(
    pack_dir: Path, source: Path, imported: Imported, *, license: str | None = None
) -> list[PlannedFile]:
    name = slugify(pack_dir.resolve().name, max_words=8, max_chars=60) or "my-pack"
    description = imported.title or f"Questions imported from {source.name}."
    return [
        PlannedFile(
            pack_dir / MANIFEST_NAME, render_manifest(name, description, license), keep_existing=True
        ),
        PlannedFile(pack_dir / questions_file_name(source), render_questions(imported, str(pack_dir))),
    ]


def write_pack(plan: Sequence[PlannedFile], *, force: bool) -> tuple[list[Path], list[Path]]:
    """Write the planned files; checks every target first so a refusal writes nothing.
    Returns (written, kept)."""
    for planned in plan:
        if planned.path.exists() and not planned.keep_existing and not force:
            raise ImportRefused(f"{planned.path} already exists; rerun with --force to overwrite it")
        if planned.path.exists() and not planned.path.is_file():
            raise ImportRefused(f"{planned.path} exists and is not a file")
    written, kept = [], []
    for planned in plan:
        if planned.keep_existing and planned.path.exists():
            kept.append(planned.path)
            continue
        planned.path.parent.mkdir(parents=True, exist_ok=True)
        planned.path.write_text(planned.text, encoding="utf-8")
        written.append(planned.path)
    return written, kept


def _ids_elsewhere(pack_dir: Path, target: Path) -> set[str]:
    """Ids already used in the pack's other files: generated ids must not collide with them."""
    if not (pack_dir / MANIFEST_NAME).is_file():
        return set()
    pack = load_pack(pack_dir)
    return {qid for qid, (file, _) in pack.locations.items() if Path(file) != target}


def run_import(
    source: Path,
    pack_dir: Path,
    *,
    force: bool = False,
    license: str | None = None,
    on_row: OnRow | None = None,
) -> ImportReport:
    """Read `source`, write the pack skeleton into `pack_dir`. Raises ImportFailed (bad source, nothing
    written) or ImportRefused (a file exists and not `force`)."""
    if source.suffix.lower() not in (".csv", *MARKDOWN_SUFFIXES):
        raise ImportFailed([_unsupported(source)])
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed([Problem(str(source), 1, "file", "does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc.strerror or str(exc)
        message = f"cannot be read ({reason}); save it as UTF-8 text"
        raise ImportFailed([Problem(str(source), 1, "file", message)]) from None
    if pack_dir.exists() and not pack_dir.is_dir():
        raise ImportRefused(f"{pack_dir} exists and is not a folder")
    target = pack_dir / questions_file_name(source)
    imported = parse_source(source, text, taken=_ids_elsewhere(pack_dir, target), on_row=on_row)
    if imported.problems:
        raise ImportFailed(imported.problems)
    written, kept = write_pack(plan_pack(pack_dir, source, imported, license=license), force=force)
    return ImportReport(
        questions=len(imported.questions),
        placeholders=imported.placeholders,
        written=tuple(written),
        kept=tuple(kept),
    )
