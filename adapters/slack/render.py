"""Cards as Block Kit messages. Slack's limits are met here, once, by splitting: never by failing.

A card becomes one or more messages (`SlackMessage`): a header, one section block per 3,000 characters of
text, the footer as a context block and the card's actions as buttons (value = the round id), at most 50
blocks per message; what does not fit continues in the next message. Every message carries a plain `text`
fallback for notifications and clients without Block Kit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from adapters.slack import strings
from bot.domain import Action, Card, Section

SECTION_TEXT_LIMIT = 3000  # characters of a section block's text
BLOCKS_PER_MESSAGE = 50
HEADER_LIMIT = 150  # plain text of a header block
BUTTON_LABEL_LIMIT = 75
CONTEXT_TEXT_LIMIT = 2000
FALLBACK_LIMIT = 500  # the notification text; the blocks carry the whole card
MODAL_TEXT_LIMIT = 24  # modal title, submit and close
ANSWER_INPUT_LIMIT = 3000  # plain_text_input max_length allowed by Slack

ANSWER_MODAL_ID = "answer_modal"
ANSWER_BLOCK_ID = "answer"
ANSWER_INPUT_ID = "answer_text"

_FENCE = "```"
# Slack mention tokens the core's labels may carry (`<@U123>`); they must survive escaping.
_MENTION = re.compile(r"<@[UW][A-Z0-9]{2,}>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_BOLD_MARK = "\x00"


METADATA_EVENT = "practicebot_card"  # message metadata marking the bot's cards, to find them again


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage / chat.postEphemeral / response_url payload."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None  # chat.postMessage only: which card of which round this is

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


# --- text -------------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape &, < and > for mrkdwn, keeping user mentions (`<@U123>`) intact."""
    out: list[str] = []
    last = 0
    for match in _MENTION.finditer(text):
        out.append(_escape_plain(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline(text: str) -> str:
    """One line of the core's Markdown-ish text as mrkdwn: **bold**, *italic*, ~~strike~~, [links](url)."""
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        links.append(f"<{match.group(2)}|{_escape_plain(match.group(1)).replace('|', '¦')}>")
        return f"\x01{len(links) - 1}\x01"

    text = _LINK.sub(keep_link, text)
    text = escape(text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1) or m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    text = text.replace(_BOLD_MARK, "*")
    return re.sub("\x01(\\d+)\x01", lambda m: links[int(m.group(1))], text)


def markdown_to_mrkdwn(text: str) -> str:
    """The core's Markdown (bold, headings, bullets, code fences, links) in Slack's mrkdwn dialect."""
    lines: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if line.strip().startswith(_FENCE):
            in_fence = not in_fence
            lines.append(_FENCE)
            continue
        if in_fence:
            lines.append(escape(line))
        elif heading := _HEADING.match(line):
            lines.append(f"*{inline(heading.group(1))}*")
        elif bullet := _BULLET.match(line):
            lines.append(f"{bullet.group(1)}• {inline(bullet.group(2))}")
        else:
            lines.append(inline(line))
    return "\n".join(lines)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Cut mrkdwn into chunks of at most `limit` characters: at line breaks when possible, else at a space;
    never inside an `&amp;` entity or a mention; a code block cut in two is closed and reopened."""
    if len(text) <= limit:
        return [text]
    budget = limit - 2 * (len(_FENCE) + 1)  # room to close and reopen a code fence
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    in_fence = False
    fence_at_start = False

    def flush() -> None:
        nonlocal current, size, fence_at_start
        if not current:
            return
        body = "\n".join(current)
        if fence_at_start:
            body = f"{_FENCE}\n{body}"
        if in_fence:
            body = f"{body}\n{_FENCE}"
        chunks.append(body)
        current, size = [], 0
        fence_at_start = in_fence

    for line in text.split("\n"):
        pieces = _cut_line(line, budget) if len(line) > budget else [line]
        for piece in pieces:
            extra = len(piece) + (1 if current else 0)
            if current and size + extra > budget:
                flush()
                extra = len(piece)
            current.append(piece)
            size += extra
        if line.strip().startswith(_FENCE):
            in_fence = not in_fence
    flush()
    return [c for c in chunks if c.strip()]


def _cut_line(line: str, budget: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > budget:
        cut = line.rfind(" ", budget // 2, budget)
        if cut == -1:
            cut = budget
            for opener, closer in (("&", ";"), ("<", ">")):
                start = line.rfind(opener, max(0, cut - 16), cut)
                if start > 0 and closer not in line[start:cut]:
                    cut = start
                    break
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def section_text(section: Section) -> str:
    parts: list[str] = []
    if section.heading:
        parts.append(f"*{inline(section.heading)}*")
    if section.body.strip():
        parts.append(markdown_to_mrkdwn(section.body))
    if section.bullets:
        parts.append("\n".join(f"• {inline(b)}" for b in section.bullets))
    return "\n".join(parts)


def fallback_text(card: Card) -> str:
    """Plain notification text: the title and the start of the card."""
    first = next((s.body or "\n".join(s.bullets) for s in card.sections if s.body or s.bullets), "")
    text = f"{card.title}\n{first}" if first else card.title
    return escape(clip(text, FALLBACK_LIMIT))


# --- blocks -----------------------------------------------------------------------------------------------


def _title_block(title: str) -> Block:
    if _MENTION.search(title):  # header blocks are plain text: a mention would show as <@U123>
        return SectionBlock(text=MarkdownTextObject(text=clip(f"*{inline(title)}*", SECTION_TEXT_LIMIT)))
    return HeaderBlock(text=PlainTextObject(text=clip(title, HEADER_LIMIT), emoji=True))


def _section_blocks(section: Section) -> list[Block]:
    text = section_text(section)
    if not text.strip():
        return []
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in split_text(text)]


def _button(action: Action, round_id: int | None) -> ButtonElement:
    value = action.value or (str(round_id) if round_id is not None else "")
    return ButtonElement(
        text=PlainTextObject(text=clip(action.label, BUTTON_LABEL_LIMIT), emoji=True),
        action_id=action.id,
        value=value or None,
    )


@lru_cache(maxsize=256)
def _footer_block(footer: str) -> dict[str, Any]:
    text = MarkdownTextObject(text=clip(inline(footer), CONTEXT_TEXT_LIMIT))
    return ContextBlock(elements=[text]).to_dict()


def _actions_block(actions: tuple[Action, ...], round_id: int | None) -> dict[str, Any]:
    """The buttons, built and validated once per set of (id, label); only the values differ per card (a
    card's actions usually carry its round id, so a cache keyed on whole actions would never hit)."""
    block = dict(_actions_template(tuple((a.id, a.label) for a in actions)))
    if round_id is not None:
        block["block_id"] = f"round-{round_id}"
    fallback = str(round_id) if round_id is not None else None
    block["elements"] = [
        element | {"value": value} if (value := action.value or fallback) else element
        for action, element in zip(actions, block["elements"], strict=True)
    ]
    return block


@lru_cache(maxsize=256)
def _actions_template(shape: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return ActionsBlock(elements=[_button(Action(id=i, label=label), None) for i, label in shape]).to_dict()


def render_card(card: Card) -> list[SlackMessage]:
    """One card as one or more messages, each within Block Kit's limits."""
    content = list(_content_blocks(card.title, card.sections))
    tail: list[dict[str, Any]] = []
    if card.footer:
        tail.append(_footer_block(card.footer))
    if card.actions:
        tail.append(_actions_block(card.actions, card.round_id))
    pages = [content[i : i + BLOCKS_PER_MESSAGE] for i in range(0, len(content), BLOCKS_PER_MESSAGE)]
    if len(pages[-1]) + len(tail) <= BLOCKS_PER_MESSAGE:
        pages[-1] = pages[-1] + tail
    else:
        pages.append(tail)
    metadata = card_metadata(card)
    messages = []
    for index, page in enumerate(pages):
        text = fallback_text(card) if index == 0 else escape(strings.CONTINUED.format(title=card.title))
        messages.append(SlackMessage(text=text, blocks=page, metadata=metadata))
    return messages


@lru_cache(maxsize=512)
def _content_blocks(title: str, sections: tuple[Section, ...]) -> tuple[dict[str, Any], ...]:
    """The title and sections as block dicts. Cached: a daily fan-out sends the same question to thousands
    of channels, and building and validating Block Kit models was most of each post's CPU time
    (bench/fanout.py). The dicts are shared between messages, so nothing may modify them."""
    blocks: list[Block] = [_title_block(title)]
    for section in sections:
        blocks.extend(_section_blocks(section))
    return tuple(block.to_dict() for block in blocks)


def card_metadata(card: Card) -> dict[str, Any] | None:
    if card.round_id is None:
        return None
    return {"event_type": METADATA_EVENT, "event_payload": {"round": card.round_id, "kind": card.kind.value}}


def is_card_message(message: dict[str, Any], card: Card) -> bool:
    """Whether a message read back from Slack (with its metadata) is this card."""
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}) == (
        (card_metadata(card) or {}).get("event_payload")
    )


# --- the answer modal -------------------------------------------------------------------------------------


def answer_modal(round_id: int, channel_id: str) -> dict[str, Any]:
    """The "Answer privately" modal; the round and channel ride along in private_metadata."""
    view = View(
        type="modal",
        callback_id=ANSWER_MODAL_ID,
        title=PlainTextObject(text=clip(strings.MODAL_TITLE, MODAL_TEXT_LIMIT)),
        submit=PlainTextObject(text=clip(strings.MODAL_SUBMIT, MODAL_TEXT_LIMIT)),
        close=PlainTextObject(text=clip(strings.MODAL_CLOSE, MODAL_TEXT_LIMIT)),
        private_metadata=json.dumps({"round": round_id, "channel": channel_id}),
        blocks=[
            InputBlock(
                block_id=ANSWER_BLOCK_ID,
                label=PlainTextObject(text=strings.MODAL_LABEL),
                hint=PlainTextObject(text=strings.MODAL_HINT),
                element=PlainTextInputElement(
                    action_id=ANSWER_INPUT_ID,
                    multiline=True,
                    max_length=ANSWER_INPUT_LIMIT,
                    placeholder=PlainTextObject(text=strings.MODAL_PLACEHOLDER),
                ),
            )
        ],
    )
    return view.to_dict()


def answer_saved_view(message: str) -> dict[str, Any]:
    """What the modal turns into once the answer is stored."""
    view = View(
        type="modal",
        title=PlainTextObject(text=clip(strings.MODAL_SAVED_TITLE, MODAL_TEXT_LIMIT)),
        close=PlainTextObject(text=clip(strings.MODAL_DONE, MODAL_TEXT_LIMIT)),
        blocks=[SectionBlock(text=MarkdownTextObject(text=escape(message)))],
    )
    return view.to_dict()
