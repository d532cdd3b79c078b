"""`content import` from Markdown: `## question` blocks with fields, or a plain list of questions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from content.import_drafts import (
    FIELDS,
    LIST_FIELDS,
    Draft,
    Imported,
    OnRow,
    field_name,
    finish_drafts,
    split_items,
    unknown_field,
)
from content.loader import Problem

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
    return finish_drafts(drafts, result, taken, on_row)


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
            problem(n, raw.strip(), unknown_field(name, "field"))
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
