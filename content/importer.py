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
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from content.import_drafts import (
    FIELDS,
    MARKDOWN_SUFFIXES,
    Draft,
    FlowList,
    Imported,
    ImportFailed,
    ImportRefused,
    OnRow,
    field_name,
    finish_drafts,
    slugify,
    unknown_field,
)
from content.import_markdown import parse_markdown
from content.loader import MANIFEST_NAME, Problem, load_pack
from content.schema import PLACEHOLDER, Category, Difficulty

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
            result.problems.append(Problem(source, 1, raw.strip(), unknown_field(name, "column")))
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
    return finish_drafts(drafts, result, taken, on_row)


# --- YAML output -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow(dumper: yaml.SafeDumper, data: list[str]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(FlowList, _represent_flow)


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
