"""Value objects of the core. Adapters build the *Ref objects and render Cards; no platform code here."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _without_nul(text: str) -> str:
    # NUL is valid in chat payloads but no PostgreSQL text can hold it: it is dropped where text comes in.
    return text.replace("\x00", "") if "\x00" in text else text


# Text from a chat platform (answers, names): cleaned once, at the edge of the core.
PlatformText = Annotated[str, AfterValidator(_without_nul)]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class Platform(StrEnum):
    CONSOLE = "console"
    SLACK = "slack"
    DISCORD = "discord"


class ChannelRef(_Value):
    platform: Platform
    workspace_id: str  # Slack team id, Discord guild id, "local" for the console
    channel_id: str
    name: PlatformText = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.platform.value, self.workspace_id, self.channel_id)


class MemberRef(_Value):
    platform: Platform
    workspace_id: str
    user_id: str
    display_name: PlatformText = ""

    @property
    def label(self) -> str:
        return self.display_name or self.user_id

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.platform.value, self.workspace_id, self.user_id)

    # A member is who they are, not what they are called this minute: display names change between
    # payloads, so identity (self-votes, "only the asker", thread catch-up) ignores them.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemberRef) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


class ThreadRef(_Value):
    """The message that opened a round; replies to it are answers."""

    channel: ChannelRef
    message_id: str


class Visibility(StrEnum):
    PUBLIC = "public"  # a channel message / a round with a thread
    PRIVATE = "private"  # only the person who asked sees it (ephemeral, DM, console)


class RoundKind(StrEnum):
    DAILY = "daily"
    ON_DEMAND = "on_demand"
    REVIEW = "review"  # a member's private spaced-repetition question


class RoundStatus(StrEnum):
    POSTING = "posting"  # claimed, message not yet confirmed sent
    OPEN = "open"
    REVEALING = "revealing"  # reveal claimed, not yet confirmed sent
    REVEALED = "revealed"
    SKIPPED = "skipped"  # replaced by another question before anyone answered it


class Round(_Value):
    id: int
    channel: ChannelRef
    question_id: str
    category: str
    kind: RoundKind
    status: RoundStatus
    visibility: Visibility
    created_at: dt.datetime
    message_id: str | None = None
    reveal_due_at: dt.datetime | None = None
    revealed_at: dt.datetime | None = None
    claimed_at: dt.datetime | None = None
    daily_date: dt.date | None = None
    requested_by: MemberRef | None = None
    reveal_failures: int = 0  # reveals that failed and gave their claim back (retried with backoff)

    @property
    def thread(self) -> ThreadRef | None:
        return ThreadRef(channel=self.channel, message_id=self.message_id) if self.message_id else None


class ChannelSettings(_Value):
    """A channel's stored configuration: the daily schedule and what it is asked."""

    channel: ChannelRef
    active: bool = True
    schedule_enabled: bool = False
    post_time: str = "09:00"
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    timezone: str = "UTC"
    reveal_after_minutes: int | None = 24 * 60
    reveal_at_time: str | None = None
    paused: bool = False
    skip_dates: tuple[dt.date, ...] = ()
    categories: tuple[str, ...] = ()
    difficulties: tuple[str, ...] = ()
    packs: tuple[str, ...] = ()
    answer_mode: str = "thread"
    reminder_minutes: int | None = None  # post a reminder this long before the reveal (off by default)
    # When the schedule in force began (set, changed or resumed): a slot before it never counts, so setting
    # or editing a schedule never posts a round for a day it did not cover. None: no limit (older rows).
    schedule_since: dt.datetime | None = None
    recap_weekly: bool = False  # post last week's recap on Mondays at the post time (opt in)


class TopAnswer(_Value):
    member: MemberRef
    question_id: str
    votes: int


class RecapData(_Value):
    """Last week in one channel, for the weekly recap."""

    week: str  # ISO week summarised, e.g. 2026-W48
    answers: int
    top_answers: tuple[TopAnswer, ...] = ()
    movers: tuple[tuple[MemberRef, int, int | None], ...] = ()  # member, rank now, rank the week before
    weakest: tuple[tuple[str, float, int], ...] = ()  # category, mean coverage, answers


class StoredAnswer(_Value):
    id: int
    round_id: int
    member: MemberRef
    text: str
    late: bool
    truncated: bool
    created_at: dt.datetime
    coverage: float | None = None
    covered_points: tuple[str, ...] = ()


class ContestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Contest(_Value):
    """ "I covered this": an author disputes a point the grader missed; a channel admin decides."""

    id: int
    answer_id: int
    round_id: int
    channel: ChannelRef
    member: MemberRef
    question_id: str
    point: str
    status: ContestStatus
    reason: str = ""
    answer_text: str = ""


class ReviewState(_Value):
    """A member's spaced-repetition card for one question."""

    question_id: str
    card: dict[str, object]
    due_at: dt.datetime
    reason: str = "review"
    last_round_id: int | None = None


class IncomingAnswer(_Value):
    """An answer as an adapter saw it: a thread reply (`thread`), a modal submission (`round_id`, from the
    button that opened it) or a console line."""

    thread: ThreadRef | None = None
    round_id: int | None = None
    member: MemberRef
    text: PlatformText
    message_id: str | None = None  # the reply's own id, so edits and deletions find it
    event_id: str | None = None  # platform event id, for dedupe of redelivered events
    at: dt.datetime | None = None  # when the platform says it was sent (default: now)


class VoteResult(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    SELF_VOTE = "self_vote"
    ALREADY = "already"
    NOT_AN_ANSWER = "not_an_answer"


class AnswerResult(StrEnum):
    RECORDED = "recorded"
    UPDATED = "updated"
    LATE = "late"
    IGNORED_EMPTY = "ignored_empty"
    UNKNOWN_THREAD = "unknown_thread"  # or an unknown / foreign round id
    THREAD_BEING_POSTED = "thread_being_posted"  # a round of the channel is being sent: ask again shortly
    DUPLICATE_EVENT = "duplicate_event"


class RecordedAnswer(_Value):
    result: AnswerResult
    round_id: int | None = None
    truncated: bool = False
    notice: Card | None = None  # something to tell the author privately (truncation, lateness)
    chars: int = 0  # the whole answer as stored now (all its messages), what the author is told
    question_id: str = ""  # of the round it went to, so the author is told which question it answers


# --- Cards: what the engine asks adapters to show, in platform-neutral form -------------------------------


class CardKind(StrEnum):
    QUESTION = "question"
    REVEAL = "reveal"
    LEADERBOARD = "leaderboard"
    STATS = "stats"
    USAGE = "usage"
    HELP = "help"
    NOTICE = "notice"
    SCHEDULE = "schedule"
    TOPICS = "topics"
    RECAP = "recap"


class Action(_Value):
    """A button the platform may offer (Slack/Discord); the console lists them as commands instead."""

    id: str  # e.g. "post_to_channel", "answer_privately", "reveal"
    label: str
    value: str = ""


class Section(_Value):
    heading: str = ""
    body: str = ""  # Markdown-ish: **bold**, bullets starting with "- "
    bullets: tuple[str, ...] = ()


class Attachment(_Value):
    """A file that goes with a card where the platform allows files (a chart image)."""

    filename: str
    content: bytes
    description: str  # alt text, and what platforms without files show instead


class Card(_Value):
    kind: CardKind
    title: str
    sections: tuple[Section, ...] = ()
    footer: str = ""
    actions: tuple[Action, ...] = ()
    round_id: int | None = None
    attachment: Attachment | None = None


class Reply(_Value):
    """A card for whoever ran a command: privately (ephemeral) or in the channel."""

    card: Card
    visibility: Visibility = Visibility.PRIVATE


class LeaderboardPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class LeaderboardRow(_Value):
    rank: int
    member: MemberRef
    points: int


class MemberStats(_Value):
    member: MemberRef
    points: int
    rounds_answered: int
    average_coverage: float | None
    current_streak: int = 0
    best_streak: int = 0
    by_category: dict[str, float] = Field(default_factory=dict)
    by_topic: dict[str, float] = Field(default_factory=dict)
    answers_by_topic: dict[str, int] = Field(
        default_factory=dict
    )  # how much evidence each topic's figure has


RecordedAnswer.model_rebuild()
