"""The one vocabulary of incoming events. Adapters translate platform payloads into these and hand them to
`Engine.dispatch`; which use case runs is the core's decision, never an adapter's."""

from __future__ import annotations

from dataclasses import dataclass

from bot.actions import ActionId
from bot.domain import ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef, Visibility


@dataclass(frozen=True)
class Actor:
    """Who acts, and what the platform says about their rights in that channel (the adapter asks)."""

    member: MemberRef
    is_admin: bool


@dataclass(frozen=True)
class CommandContext:
    """Who ran a command, where, and what the adapter knows about their rights."""

    channel: ChannelRef
    member: MemberRef
    is_admin: bool
    # Slack and Discord answer an on-demand question privately first; the console posts a round directly.
    question_visibility: Visibility = Visibility.PUBLIC


@dataclass(frozen=True)
class CommandIssued:
    ctx: CommandContext
    text: str  # one `/practice ...` line without the `/practice`


@dataclass(frozen=True)
class AnswerPosted:
    """A thread reply, new or edited (the same message id replaces its part), or a console line."""

    answer: IncomingAnswer
    edited: bool = False


@dataclass(frozen=True)
class FormSubmitted:
    """The answer form (Slack modal, Discord modal) sent for a round named by the button that opened it."""

    answer: IncomingAnswer
    channel: ChannelRef | None = None  # where the form was opened, when the platform says


@dataclass(frozen=True)
class AnswerDeleted:
    thread: ThreadRef
    message_id: str
    member: MemberRef | None  # Discord's delete event names no author: the core finds it by message id


@dataclass(frozen=True)
class VoteChanged:
    """A vote reaction added or removed on a message in a channel (or one of its threads)."""

    channel: ChannelRef
    message_id: str
    voter: MemberRef
    added: bool


@dataclass(frozen=True)
class ActionClicked:
    """A card button, other than one that opens the answer form."""

    action: ActionId
    round_id: int
    actor: Actor
    channel: ChannelRef | None = None


@dataclass(frozen=True)
class ChannelGone:
    """The platform says the channel no longer exists, or the bot was removed from it."""

    channel: ChannelRef


@dataclass(frozen=True)
class WorkspaceGone:
    """The bot was removed from a whole workspace (Slack app uninstalled or its token revoked, Discord
    server left): none of its channels is posted to until a command there shows the bot is back."""

    platform: Platform
    workspace_id: str


Event = (
    CommandIssued
    | AnswerPosted
    | FormSubmitted
    | AnswerDeleted
    | VoteChanged
    | ActionClicked
    | ChannelGone
    | WorkspaceGone
)
