"""Cards as Discord messages: embeds plus buttons, split to stay inside Discord's limits, never failing.

A card becomes one or more messages. Sections with a heading and a short text become embed fields; the rest
goes into embed descriptions, split at paragraph, line or word boundaries (code fences are closed and
reopened across a split). Embeds are packed into messages of at most 10 embeds and 6,000 characters; the
first embed of a message carries the title ("(continued)" after the first message), the last one the
footer, the last message the buttons.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord import strings
from adapters.discord.components import PracticeButton
from bot.domain import Action, Card, CardKind, Section

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
MESSAGE_EMBED_CHARS = 6000  # every embed of one message together
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_MESSAGE = 25
_FENCE = "```"

COLORS = {
    CardKind.QUESTION: 0x5865F2,
    CardKind.REVEAL: 0x57F287,
    CardKind.USAGE: 0xED4245,
    CardKind.LEADERBOARD: 0xFEE75C,
}
DEFAULT_COLOR = 0x99AAB5
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass
class OutgoingMessage:
    """One Discord message to send: what `send(**message.kwargs())` needs."""

    embeds: list[discord.Embed] = field(default_factory=list)
    content: str | None = None
    view: discord.ui.View | None = None
    files: list[discord.File] = field(default_factory=list)  # single use: render again to resend

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        if self.view is not None:
            out["view"] = self.view
        if self.files:
            out["files"] = self.files
        return out


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _break_at(text: str, room: int) -> tuple[int, int]:
    """Where to cut `text` to keep at most `room` chars: (end of this chunk, start of the rest)."""
    for separator in ("\n\n", "\n", " "):
        index = text.rfind(separator, 0, room + 1)
        if index >= room // 2:
            return index, index + len(separator)
    return room, room


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` chars, preferring paragraph, line, then word breaks.
    A code block cut in two is closed at the end of one chunk and reopened at the start of the next."""
    text = text.strip("\n")
    chunks: list[str] = []
    reopen = False
    while text:
        prefix = _FENCE + "\n" if reopen else ""
        if len(prefix) + len(text) <= limit:
            chunks.append(prefix + text)
            break
        room = max(1, limit - len(prefix) - len(_FENCE) - 1)
        end, rest = _break_at(text, room)
        chunk = prefix + text[:end].rstrip()
        text = text[rest:].lstrip("\n")
        reopen = chunk.count(_FENCE) % 2 == 1
        if reopen:
            chunk += "\n" + _FENCE
        chunks.append(chunk)
    return chunks


def section_text(section: Section) -> str:
    lines = [section.body.strip()] if section.body.strip() else []
    lines += [f"- {bullet}" for bullet in section.bullets]
    return "\n".join(lines)


@dataclass
class _Draft:
    description: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def description_text(self) -> str:
        return "\n\n".join(self.description)

    def size(self) -> int:
        return len(self.description_text) + sum(len(n) + len(v) for n, v in self.fields)


def _drafts(card: Card, note: str, budget: int) -> list[_Draft]:
    drafts = [_Draft()]

    def add_description(block: str) -> None:
        current = drafts[-1]
        joined = len(current.description_text) + (2 if current.description else 0) + len(block)
        if current.fields or joined > DESCRIPTION_LIMIT or current.size() + len(block) + 2 > budget:
            drafts.append(_Draft())
        drafts[-1].description.append(block)

    def add_field(name: str, value: str) -> None:
        current = drafts[-1]
        if len(current.fields) >= FIELDS_PER_EMBED or current.size() + len(name) + len(value) > budget:
            drafts.append(_Draft())
        drafts[-1].fields.append((name, value))

    blocks_limit = min(DESCRIPTION_LIMIT, budget)
    for section in card.sections:
        text = section_text(section)
        heading = section.heading.strip()
        if heading and text and len(text) <= FIELD_VALUE_LIMIT:
            add_field(_clip(heading, FIELD_NAME_LIMIT), text)
            continue
        block = f"**{_clip(heading, FIELD_NAME_LIMIT)}**\n{text}" if heading else text
        for chunk in split_text(block, blocks_limit):
            add_description(chunk)
    if note:
        for chunk in split_text(note, blocks_limit):
            add_description(chunk)
    return [d for d in drafts if d.description or d.fields] or [_Draft(description=["\u200b"])]


def _buttons(actions: tuple[Action, ...]) -> discord.ui.View | None:
    items = [
        PracticeButton(action.id, int(action.value), action.label)
        for action in actions
        if action.value.isdigit()
    ][:BUTTONS_PER_MESSAGE]
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def render_card(
    card: Card, *, note: str = "", actions: tuple[Action, ...] | None = None
) -> list[OutgoingMessage]:
    """A card as one or more messages within Discord's limits. `note` adds an adapter line at the end;
    `actions` replaces the card's buttons (None keeps them)."""
    title = _clip(card.title, TITLE_LIMIT) if card.title else ""
    footer = _clip(card.footer, FOOTER_LIMIT) if card.footer else ""
    # Room per message for descriptions and fields, leaving space for a title and the footer.
    budget = MESSAGE_EMBED_CHARS - TITLE_LIMIT - len(footer)
    groups: list[list[_Draft]] = [[]]
    for draft in _drafts(card, note, budget):
        group = groups[-1]
        if group and (
            len(group) >= EMBEDS_PER_MESSAGE or sum(d.size() for d in group) + draft.size() > budget
        ):
            groups.append([])
        groups[-1].append(draft)

    color = COLORS.get(card.kind, DEFAULT_COLOR)
    messages: list[OutgoingMessage] = []
    for number, group in enumerate(groups):
        embeds = []
        for index, draft in enumerate(group):
            embed = discord.Embed(description=draft.description_text or None, color=color)
            if index == 0 and title:
                embed.title = (
                    title if number == 0 else _clip(strings.CONTINUED.format(title=title), TITLE_LIMIT)
                )
            for name, value in draft.fields:
                embed.add_field(name=name, value=value, inline=False)
            embeds.append(embed)
        messages.append(OutgoingMessage(embeds=embeds))
    if footer:
        messages[-1].embeds[-1].set_footer(text=footer)
    messages[-1].view = _buttons(card.actions if actions is None else actions)
    if card.attachment is not None:
        # The chart rides on the last message and shows inside its last embed.
        attachment = card.attachment
        messages[-1].files.append(
            discord.File(
                io.BytesIO(attachment.content),
                filename=attachment.filename,
                description=attachment.description[:1024],
            )
        )
        messages[-1].embeds[-1].set_image(url=f"attachment://{attachment.filename}")
    return messages


def render_text(text: str) -> list[OutgoingMessage]:
    """A plain adapter line (or a long text) as messages of at most 2,000 chars."""
    return [OutgoingMessage(content=chunk) for chunk in split_text(text, CONTENT_LIMIT)]


def embed_chars(embed: discord.Embed) -> int:
    """Characters Discord counts toward the 6,000 per message: title, description, fields, footer, author."""
    size = len(embed.title or "") + len(embed.description or "")
    size += sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
    size += len(embed.footer.text or "") + len(embed.author.name or "")
    return size
