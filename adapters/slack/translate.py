"""Slack payloads -> the core's values and events. Pure functions over the JSON Slack sends: no I/O, no rules.

Members are identified by their Slack user id; their label is a Slack mention (`<@U123>`), so cards show
each person's current Slack name without any lookups, and the same person is always the same `MemberRef`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain import ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef
from bot.events import AnswerDeleted, AnswerPosted, VoteChanged, WorkspaceGone

Payload = Mapping[str, Any]

# Message subtypes that are a person writing: plain messages, "also send to channel" replies, files.
AUTHORED_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
DEFAULT_VOTE_REACTIONS = frozenset({"+1", "thumbsup"})

_ESCAPED_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_ESCAPED_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)\|([^>]*)>")
_ANY_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


# --- references -------------------------------------------------------------------------------------------


def channel_ref(team_id: str, channel_id: str, name: str = "") -> ChannelRef:
    return ChannelRef(platform=Platform.SLACK, workspace_id=team_id, channel_id=channel_id, name=name)


def member_ref(team_id: str, user_id: str) -> MemberRef:
    return MemberRef(
        platform=Platform.SLACK, workspace_id=team_id, user_id=user_id, display_name=mention(user_id)
    )


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def ts_to_datetime(ts: str | None) -> dt.datetime | None:
    """Slack's message ts ("1700000000.000100") is seconds since the epoch; None when absent or odd."""
    try:
        return dt.datetime.fromtimestamp(float(ts), dt.UTC) if ts else None
    except (TypeError, ValueError, OverflowError):
        return None


def team_of(body: Payload) -> str:
    """The workspace a payload belongs to: events carry team_id, interactivity a team object."""
    team = body.get("team")
    if isinstance(team, Mapping) and team.get("id"):
        return str(team["id"])
    if isinstance(team, str) and team:
        return team
    if body.get("team_id"):
        return str(body["team_id"])
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("team_id"):
        return str(user["team_id"])
    event = body.get("event")
    if isinstance(event, Mapping) and event.get("team"):
        return str(event["team"])
    return ""


# --- slash commands and mentions --------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandRequest:
    """`/practice ...` (or "@practicebot ..." in a channel): who, where, what, and how to reply."""

    channel: ChannelRef
    member: MemberRef
    text: str
    response_url: str | None = None
    trigger_id: str | None = None


def command_text(text: str) -> str:
    """Escaped mentions (`<@U1|sam>`, `<#C1|general>`) as the core reads them (`<@U1>`, `#general`)."""
    text = _ESCAPED_USER.sub(lambda m: mention(m.group(1)), text)
    return _ESCAPED_CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text).strip()


def slash_command(body: Payload) -> CommandRequest | None:
    team, channel, user = team_of(body), body.get("channel_id"), body.get("user_id")
    if not (team and channel and user):
        return None
    return CommandRequest(
        channel=channel_ref(team, str(channel), str(body.get("channel_name") or "")),
        member=member_ref(team, str(user)),
        text=command_text(str(body.get("text") or "")),
        response_url=body.get("response_url") or None,
        trigger_id=body.get("trigger_id") or None,
    )


def mention_command(body: Payload) -> CommandRequest | None:
    """An `app_mention` outside threads ("@practicebot question tech") as a command. Mentions inside a
    thread are answers and arrive as message events too, so they are not commands."""
    event = body.get("event")
    if not isinstance(event, Mapping) or event.get("thread_ts") or event.get("bot_id"):
        return None
    team, channel, user = team_of(body), event.get("channel"), event.get("user")
    if not (team and channel and user):
        return None
    text = _ANY_MENTION.sub(" ", str(event.get("text") or ""), count=1)
    return CommandRequest(
        channel=channel_ref(team, str(channel)), member=member_ref(team, str(user)), text=command_text(text)
    )


# --- buttons and the answer modal -------------------------------------------------------------------------


@dataclass(frozen=True)
class ButtonPress:
    action_id: str
    round_id: int | None
    channel: ChannelRef | None
    member: MemberRef
    response_url: str | None = None
    trigger_id: str | None = None


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def block_action(body: Payload) -> ButtonPress | None:
    actions = body.get("actions")
    user = body.get("user")
    if not actions or not isinstance(actions, list) or not isinstance(user, Mapping) or not user.get("id"):
        return None
    action = actions[0]
    team = team_of(body)
    channel = body.get("channel")
    channel_id = channel.get("id") if isinstance(channel, Mapping) else None
    container = body.get("container")
    if not channel_id and isinstance(container, Mapping):
        channel_id = container.get("channel_id")
    name = channel.get("name", "") if isinstance(channel, Mapping) else ""
    return ButtonPress(
        action_id=str(action.get("action_id", "")),
        round_id=_int(action.get("value")),
        channel=channel_ref(team, str(channel_id), str(name or "")) if channel_id else None,
        member=member_ref(team, str(user["id"])),
        response_url=body.get("response_url") or None,
        trigger_id=body.get("trigger_id") or None,
    )


@dataclass(frozen=True)
class ModalAnswer:
    answer: IncomingAnswer
    channel: ChannelRef | None


def view_submission(body: Payload, *, block_id: str, input_id: str) -> ModalAnswer | None:
    """The "Answer privately" modal: the round id and channel travel in private_metadata."""
    view, user = body.get("view"), body.get("user")
    if not isinstance(view, Mapping) or not isinstance(user, Mapping) or not user.get("id"):
        return None
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    round_id = _int(meta.get("round")) if isinstance(meta, Mapping) else None
    if round_id is None:
        return None
    values = (view.get("state") or {}).get("values") or {}
    text = ((values.get(block_id) or {}).get(input_id) or {}).get("value") or ""
    team = team_of(body)
    channel_id = meta.get("channel")
    return ModalAnswer(
        answer=IncomingAnswer(
            round_id=round_id,
            member=member_ref(team, str(user["id"])),
            text=str(text),
            message_id=str(view.get("id")) if view.get("id") else None,
        ),
        channel=channel_ref(team, str(channel_id)) if channel_id else None,
    )


# --- message events ---------------------------------------------------------------------------------------


def _is_from_bot(message: Payload, bot_user_id: str | None) -> bool:
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or (bot_user_id and message.get("user") == bot_user_id)
    )


def _thread_reply(message: Payload) -> tuple[str, str] | None:
    """(thread_ts, ts) when the message is a reply inside a thread (not the thread's parent)."""
    thread_ts, ts = message.get("thread_ts"), message.get("ts")
    if not thread_ts or not ts or thread_ts == ts:
        return None
    return str(thread_ts), str(ts)


def message_event(body: Payload, *, bot_user_id: str | None = None) -> AnswerPosted | AnswerDeleted | None:
    """A `message` event as an answer, an edit or a withdrawal; None for anything else."""
    event = body.get("event")
    if not isinstance(event, Mapping) or event.get("type") != "message":
        return None
    team, channel_id = team_of(body), event.get("channel")
    if not team or not channel_id:
        return None
    channel = channel_ref(team, str(channel_id))
    event_id = str(body["event_id"]) if body.get("event_id") else None
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message")
        if not isinstance(message, Mapping) or message.get("subtype") not in AUTHORED_SUBTYPES:
            return None
        return _reply(message, channel, team, event_id, bot_user_id, edited=True)
    if subtype == "message_deleted":
        previous = event.get("previous_message")
        if not isinstance(previous, Mapping) or _is_from_bot(previous, bot_user_id):
            return None
        where = _thread_reply(previous)
        if where is None or not previous.get("user"):
            return None
        thread_ts, ts = where
        return AnswerDeleted(
            thread=ThreadRef(channel=channel, message_id=thread_ts),
            message_id=str(event.get("deleted_ts") or ts),
            member=member_ref(team, str(previous["user"])),
        )
    if subtype not in AUTHORED_SUBTYPES:
        return None
    return _reply(event, channel, team, event_id, bot_user_id, edited=False)


def _reply(
    message: Payload,
    channel: ChannelRef,
    team: str,
    event_id: str | None,
    bot_user_id: str | None,
    *,
    edited: bool,
) -> AnswerPosted | None:
    if _is_from_bot(message, bot_user_id) or not message.get("user"):
        return None
    where = _thread_reply(message)
    if where is None:
        return None
    thread_ts, ts = where
    edited_at = message.get("edited", {}).get("ts") if isinstance(message.get("edited"), Mapping) else None
    return AnswerPosted(
        answer=IncomingAnswer(
            thread=ThreadRef(channel=channel, message_id=thread_ts),
            member=member_ref(team, str(message["user"])),
            text=str(message.get("text") or ""),
            message_id=ts,
            event_id=event_id,
            at=ts_to_datetime(edited_at if edited and edited_at else ts),
        ),
        edited=edited,
    )


def thread_replies(
    messages: Iterable[Payload], thread: ThreadRef, *, bot_user_id: str | None = None
) -> list[IncomingAnswer]:
    """conversations.replies messages as answers: the parent, bots and the bot itself left out."""
    answers = []
    for message in messages:
        if message.get("subtype") not in AUTHORED_SUBTYPES or _is_from_bot(message, bot_user_id):
            continue
        if not message.get("user") or _thread_reply(message) is None:
            continue
        answers.append(
            IncomingAnswer(
                thread=thread,
                member=member_ref(thread.channel.workspace_id, str(message["user"])),
                text=str(message.get("text") or ""),
                message_id=str(message["ts"]),
                at=ts_to_datetime(message.get("ts")),
            )
        )
    return answers


# --- app lifecycle ----------------------------------------------------------------------------------------


def workspace_gone(body: Payload) -> WorkspaceGone | None:
    """`app_uninstalled`, or `tokens_revoked` naming bot tokens: the bot can no longer act there."""
    event = body.get("event")
    team = team_of(body)
    if not isinstance(event, Mapping) or not team:
        return None
    if event.get("type") == "tokens_revoked":
        tokens = event.get("tokens")
        if not isinstance(tokens, Mapping) or not tokens.get("bot"):
            return None  # only user tokens were revoked: the bot still works
    elif event.get("type") != "app_uninstalled":
        return None
    return WorkspaceGone(platform=Platform.SLACK, workspace_id=team)


# --- reactions --------------------------------------------------------------------------------------------


def reaction_event(body: Payload, *, reactions: Iterable[str] = DEFAULT_VOTE_REACTIONS) -> VoteChanged | None:
    """`reaction_added` / `reaction_removed` with a vote reaction on a message (skin tones count too)."""
    event = body.get("event")
    if not isinstance(event, Mapping) or event.get("type") not in ("reaction_added", "reaction_removed"):
        return None
    item = event.get("item")
    if not isinstance(item, Mapping) or item.get("type") != "message":
        return None
    name = str(event.get("reaction") or "").split("::", 1)[0]
    team, user = team_of(body), event.get("user")
    if name not in set(reactions) or not team or not user or not item.get("channel") or not item.get("ts"):
        return None
    return VoteChanged(
        channel=channel_ref(team, str(item["channel"])),
        message_id=str(item["ts"]),
        voter=member_ref(team, str(user)),
        added=event["type"] == "reaction_added",
    )
