"""Cards as terminal text: rich panels on a terminal, plain lines when piped."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from bot.domain import Card


def render_plain(card: Card, where: str) -> str:
    lines = [f"[{where}] == {card.title} =="]
    for section in card.sections:
        if section.heading:
            lines.append(f"-- {section.heading}")
        if section.body:
            lines.extend(section.body.splitlines())
        lines.extend(f"  - {b}" for b in section.bullets)
    if card.footer:
        lines.append(f"({card.footer})")
    return "\n".join(lines)


def render_rich(card: Card, where: str) -> RenderableType:
    parts: list[RenderableType] = []
    for section in card.sections:
        if section.heading:
            parts.append(Text(section.heading, style="bold cyan"))
        if section.body:
            parts.append(Markdown(section.body))
        if section.bullets:
            parts.append(Markdown("\n".join(f"- {b}" for b in section.bullets)))
    if card.footer:
        parts.append(Text(card.footer, style="dim"))
    return Panel(Group(*parts), title=f"{card.title}", subtitle=where, title_align="left")
