"""Pure functions from discord.py objects and raw gateway payloads to the core's values. No I/O here.

Conventions: a ChannelRef's workspace_id is the guild id; a round's thread is the thread Discord creates from
the round message, which has the same id as that message, so a reply's ThreadRef is (parent channel, thread
id). Event ids make redelivered events harmless: `message:<id>` for a new message (the same id when the
thread is read back), `edit:<id>:<edited timestamp>` for an edit, `interaction:<id>` for a modal answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.domain import ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef

THREAD_TYPES = frozenset({10, 11, 12})  # announcement, public and private threads
ANSWER_MESSAGE_TYPES = frozenset({0, 19})  # default and reply
VOTE_EMOJI = "👍"  # skin-tone variants count too
_MODAL_ID = re.compile(r"practice:answer_modal:(?P<round_id>[0-9]{1,18})(?::[0-9a-f]*)?")


def channel_ref(guild_id: int | str, channel_id: int | str, name: str = "") -> ChannelRef:
    return ChannelRef(
        platform=Platform.DISCORD, workspace_id=str(guild_id), channel_id=str(channel_id), name=name or ""
    )


def member_ref(user: discord.abc.User, guild_id: int | str) -> MemberRef:
    """A Member or User: the display name is the server nickname, else the global name, else the username."""
    return MemberRef(
        platform=Platform.DISCORD,
        workspace_id=str(guild_id),
        user_id=str(user.id),
        display_name=user.display_name,
    )


def member_from_payload(
    user: Mapping[str, Any], guild_id: int | str, member: Mapping[str, Any] | None = None
) -> MemberRef:
    """The same display name rule as member_ref, from raw `author`/`user` and `member` payloads."""
    nick = (member or {}).get("nick")
    display = nick or user.get("global_name") or user.get("username") or str(user["id"])
    return MemberRef(
        platform=Platform.DISCORD, workspace_id=str(guild_id), user_id=str(user["id"]), display_name=display
    )


def thread_parent(channel: Any) -> int | None:
    """The parent channel id when `channel` is a thread (a discord.Thread or a raw channel payload)."""
    if isinstance(channel, discord.Thread):
        return channel.parent_id
    if isinstance(channel, Mapping) and channel.get("type") in THREAD_TYPES and channel.get("parent_id"):
        return int(channel["parent_id"])
    return None


def interaction_channel(interaction: discord.Interaction) -> ChannelRef | None:
    """Where a command ran. Inside a round's thread that is the thread's parent channel, so
    `/practice reveal` typed in the thread reveals that channel's round."""
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    channel = interaction.channel
    parent = thread_parent(channel)
    if parent is not None:
        parent_channel = getattr(channel, "parent", None)
        return channel_ref(interaction.guild_id, parent, getattr(parent_channel, "name", "") or "")
    return channel_ref(interaction.guild_id, interaction.channel_id, getattr(channel, "name", "") or "")


def thread_ref(guild_id: int | str, parent_id: int | str, thread_id: int | str) -> ThreadRef:
    return ThreadRef(channel=channel_ref(guild_id, parent_id), message_id=str(thread_id))


def answer_from_message(message: discord.Message, thread: ThreadRef) -> IncomingAnswer | None:
    """A message in a round's thread as an answer; None for bots, webhooks and system messages."""
    if message.author.bot or message.webhook_id is not None:
        return None
    if message.type.value not in ANSWER_MESSAGE_TYPES:
        return None
    guild_id = thread.channel.workspace_id
    return IncomingAnswer(
        thread=thread,
        member=member_ref(message.author, guild_id),
        text=message.content,
        message_id=str(message.id),
        event_id=f"message:{message.id}",
        at=message.created_at,
    )


def answer_from_edit(data: Mapping[str, Any], thread: ThreadRef) -> IncomingAnswer | None:
    """A MESSAGE_UPDATE payload as a new version of an answer message. Updates without content (an embed
    unfurl) or from bots are None."""
    author = data.get("author")
    if not author or author.get("bot") or "content" not in data or data.get("webhook_id"):
        return None
    if data.get("type", 0) not in ANSWER_MESSAGE_TYPES:
        return None
    edited = data.get("edited_timestamp")
    if not edited:  # an embed unfurl or a pin, not the author changing the text
        return None
    return IncomingAnswer(
        thread=thread,
        member=member_from_payload(author, thread.channel.workspace_id, data.get("member")),
        text=data["content"],
        message_id=str(data["id"]),
        event_id=f"edit:{data['id']}:{edited}",
    )


def modal_answer(
    user: discord.abc.User, guild_id: int | str, round_id: int, text: str, interaction_id: int
) -> IncomingAnswer:
    """An answer typed in the Answer modal. Its message id is per round and member, so sending the modal
    again replaces the earlier modal answer instead of adding to it."""
    return IncomingAnswer(
        round_id=round_id,
        member=member_ref(user, guild_id),
        text=text,
        message_id=f"modal:{round_id}:{user.id}",
        event_id=f"interaction:{interaction_id}",
    )


def modal_submission(data: Mapping[str, Any] | None) -> tuple[int, str] | None:
    """(round id, typed text) of an Answer form submission; None for any other modal."""
    match = _MODAL_ID.fullmatch(str((data or {}).get("custom_id", "")))
    if match is None:
        return None
    values: list[str] = []

    def walk(components: Any) -> None:
        for component in components or ():
            if component.get("type") == 4 and "value" in component:
                values.append(str(component["value"]))
            walk(component.get("components"))
            if component.get("component"):
                walk([component["component"]])

    walk((data or {}).get("components"))
    return int(match["round_id"]), "\n\n".join(v for v in values if v)


@dataclass(frozen=True)
class Deletion:
    thread_id: int
    message_id: str
    author: MemberRef | None  # known only when the message was still in discord.py's cache


def deletion(payload: discord.RawMessageDeleteEvent) -> Deletion | None:
    if payload.guild_id is None:
        return None
    cached = payload.cached_message
    author = None
    if cached is not None:
        if cached.author.bot:
            return None
        author = member_ref(cached.author, payload.guild_id)
    return Deletion(thread_id=payload.channel_id, message_id=str(payload.message_id), author=author)


def is_vote_emoji(emoji: discord.PartialEmoji) -> bool:
    return emoji.id is None and (emoji.name or "").startswith(VOTE_EMOJI)


@dataclass(frozen=True)
class Vote:
    guild_id: int
    channel_id: int  # the thread the answer message is in
    message_id: str
    voter: MemberRef
    add: bool


def vote(payload: discord.RawReactionActionEvent, *, bot_user_id: int | None) -> Vote | None:
    """A 👍 added or removed on a message in a server. Reaction removals carry no member: the voter is
    then known by id only, which is all the core needs to find and drop the vote."""
    if payload.guild_id is None or not is_vote_emoji(payload.emoji) or payload.user_id == bot_user_id:
        return None
    member = payload.member
    if member is not None and member.bot:
        return None
    voter = (
        member_ref(member, payload.guild_id)
        if member is not None
        else MemberRef(
            platform=Platform.DISCORD, workspace_id=str(payload.guild_id), user_id=str(payload.user_id)
        )
    )
    return Vote(
        guild_id=payload.guild_id,
        channel_id=payload.channel_id,
        message_id=str(payload.message_id),
        voter=voter,
        add=payload.event_type == "REACTION_ADD",
    )


def command_line(name: str, *args: str | int | None) -> str:
    """An app command and its options as one line of the core's `/practice` grammar. Free-text options
    (schedule, config) pass through as typed, so a bad value gets the grammar's usage card."""
    words = [name] + [str(arg).strip() for arg in args if arg is not None and str(arg).strip()]
    return " ".join(words)
