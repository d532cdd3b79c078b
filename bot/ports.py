"""What the core needs from the outside world, as Protocols. Adapters and storage implement them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypedDict, TypeVar

from bot.domain import (
    Card,
    ChannelRef,
    ChannelSettings,
    Contest,
    ContestStatus,
    IncomingAnswer,
    MemberRef,
    Platform,
    RecapData,
    ReviewState,
    Round,
    RoundKind,
    RoundStatus,
    StoredAnswer,
    ThreadRef,
    Visibility,
)
from bot.grading import Assessment
from bot.questions import Question

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock for tests and `practicebot tick --at`: time moves only when told to."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now

    def set(self, at: dt.datetime) -> None:
        self._now = at.astimezone(dt.UTC)


class ChatPort(Protocol):
    """Delivery to one chat platform. The adapter renders Cards in its own format and limits."""

    platform: Platform

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        """Post a message that opens a thread; return the message id (Slack ts, Discord message id)."""
        ...

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str: ...

    async def post_notice(self, channel: ChannelRef, card: Card) -> str:
        """Post a card to the channel without opening a thread (the weekly recap); return its id."""
        ...

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        """Show a card to one member only (ephemeral message, DM, console aside)."""
        ...

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        """Read the thread back, so answers that arrived while the bot was down are not lost."""
        ...


class ChannelUnreachable(Exception):
    """Raised by a ChatPort when the platform refuses a post because the bot cannot reach the channel.
    `gone`: it no longer exists for the bot (deleted, archived, the bot removed), so the core marks it
    inactive and the scheduler stops posting there; `/practice schedule resume` brings it back."""

    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone


class FindsPosted(Protocol):
    """Optional ChatPort capability: after a crash between sending a card and recording its id, find the
    message the bot already sent for this card (same kind and round) since `since`, so a retry does not post
    it twice. Adapters mark their messages (Slack message metadata, a Discord embed footer, ...)."""

    async def find_posted(self, channel: ChannelRef, card: Card, since: dt.datetime) -> str | None: ...


class QuestionSource(Protocol):
    def get(self, question_id: str) -> Question | None: ...

    def all(self) -> Sequence[Question]: ...


class DailyRoundState(NamedTuple):
    round_id: int
    status: str
    claimed_at: dt.datetime | None


class RevealTrouble(NamedTuple):
    round_id: int
    channel: ChannelRef
    failures: int
    retry_at: dt.datetime | None
    error: str


class SavedPart(NamedTuple):
    created: bool  # the member's first message in this round
    total_chars: int  # the whole answer as stored now, every message of it


class DailyClaim(TypedDict):
    channel_id: int  # the channel's row id
    question_id: str
    category: str
    daily_date: dt.date
    reveal_due_at: dt.datetime


class MemberSummary(TypedDict):
    points: int
    rounds_answered: int
    average_coverage: float | None
    by_category: dict[str, float]


# --- repositories: one Protocol per aggregate, all reached through one transaction's `Store` -------------


class Channels(Protocol):
    def channel(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelSettings:
        """The stored settings, or `defaults` for a channel never registered. Reads never write."""
        ...

    def register_channel(self, ref: ChannelRef, defaults: ChannelSettings | None = None) -> ChannelSettings:
        """The channel's settings, storing it with `defaults` the first time (and its current name)."""
        ...

    def update_channel(
        self, ref: ChannelRef, defaults: ChannelSettings | None = None, **changes: Any
    ) -> ChannelSettings: ...

    def channels(self) -> list[ChannelSettings]: ...

    def deactivate_workspace(self, platform: Platform, workspace_id: str) -> int:
        """Mark every channel of a workspace inactive; returns how many were active."""
        ...

    def reactivate_channel(self, ref: ChannelRef) -> bool:
        """Mark a stored, inactive channel active again; False when nothing changed."""
        ...

    def scheduled_channels(
        self, *, after_row_id: int = 0, limit: int | None = None
    ) -> list[tuple[int, ChannelSettings]]: ...

    def schedule_shapes(self) -> set[tuple[str, tuple[str, ...], str, tuple[dt.date, ...]]]: ...


class Members(Protocol):
    def find_member(self, platform: Platform, workspace_id: str, text: str) -> MemberRef | None: ...


class Rounds(Protocol):
    def create_round(
        self,
        channel: ChannelRef,
        *,
        question_id: str,
        category: str,
        kind: RoundKind,
        visibility: Visibility,
        now: dt.datetime,
        requested_by: MemberRef | None = None,
        daily_date: dt.date | None = None,
        reveal_due_at: dt.datetime | None = None,
    ) -> Round | None: ...

    def round(self, round_id: int) -> Round | None: ...

    def round_by_thread(self, thread: ThreadRef) -> Round | None: ...

    def latest_round(
        self,
        channel: ChannelRef,
        *,
        statuses: Sequence[RoundStatus],
        visibility: Visibility | None = None,
        requested_by: MemberRef | None = None,
        kinds: Sequence[RoundKind] | None = None,
    ) -> Round | None: ...

    def question_history(self, channel: ChannelRef) -> tuple[list[str], int]: ...

    def mark_posted(self, round_id: int, message_id: str, now: dt.datetime) -> None: ...

    def rounds_being_posted(self, channel: ChannelRef) -> bool:
        """Whether a round of the channel is claimed for posting and its message id not recorded yet."""
        ...

    def claim_publish(self, round_id: int) -> bool: ...

    def unpublish(self, round_id: int) -> None: ...

    def skip_round(self, round_id: int) -> bool:
        """Close an open round nobody answered (False when it was answered or closed meanwhile)."""
        ...

    def claim_reveal(
        self, round_id: int, now: dt.datetime, stale_before: dt.datetime | None = None
    ) -> bool: ...

    def release_reveal(self, round_id: int, retry_at: dt.datetime, error: str) -> None:
        """A failed reveal gives its claim back: open again, retried at `retry_at`."""
        ...

    def failing_reveals(self) -> list[RevealTrouble]: ...

    def mark_revealed(self, round_id: int, now: dt.datetime) -> None: ...


class DailyRoundsRepo(Protocol):
    """The daily question's claims: one round per channel and local date, sent by one process."""

    def history_by_channel(self, channel_row_ids: Sequence[int]) -> dict[int, tuple[list[str], int]]: ...

    def claim_daily_rounds(self, claims: Sequence[DailyClaim], now: dt.datetime) -> dict[int, int]: ...

    def mark_posted_many(self, posted: Sequence[tuple[int, str]], now: dt.datetime) -> None: ...

    def reclaim_post(self, round_id: int, now: dt.datetime, stale_before: dt.datetime) -> bool: ...

    def renew_claims(self, round_ids: Sequence[int], now: dt.datetime) -> int:
        """Stamp the claims still held on these rounds (posting or revealing) with `now`: a renewed lease."""
        ...

    def daily_round_states(
        self, channel_row_ids: Sequence[int], first_date: dt.date
    ) -> dict[tuple[int, dt.date], DailyRoundState]: ...

    def rounds_to_reveal(self, now: dt.datetime, stale_before: dt.datetime) -> list[int]: ...

    def rounds_to_remind(self, now: dt.datetime) -> list[tuple[int, int]]: ...

    def claim_reminder(self, round_id: int, now: dt.datetime) -> bool: ...


class AnswersAndVotes(Protocol):
    def save_answer_part(
        self,
        round_id: int,
        member: MemberRef,
        *,
        message_id: str | None,
        text: str,
        now: dt.datetime,
        late: bool,
        truncated: bool,
    ) -> SavedPart: ...

    def withdraw_answer_part(
        self, round_id: int, member: MemberRef, message_id: str, now: dt.datetime
    ) -> bool: ...

    def answers(self, round_id: int) -> list[StoredAnswer]: ...

    def answer_by_message(self, channel: ChannelRef, message_id: str) -> StoredAnswer | None: ...

    def add_vote(self, answer_id: int, voter: MemberRef, now: dt.datetime) -> bool: ...

    def remove_vote(self, answer_id: int, voter: MemberRef) -> bool: ...

    def vote_counts(self, round_id: int) -> dict[int, int]: ...


class Grades(Protocol):
    def cached_assessment(
        self, question_id: str, answer_hash: str, grader: str, model: str
    ) -> Assessment | None: ...

    def save_assessment(
        self, question_id: str, answer_hash: str, assessment: Assessment, now: dt.datetime
    ) -> bool: ...

    def save_feedback(self, answer_id: int, assessment: Assessment) -> None:
        """The assessment the reveal used: score, covered points and every verdict, on the answer."""
        ...

    def answer_assessment(self, answer_id: int) -> Assessment | None: ...

    def answer(self, answer_id: int) -> StoredAnswer | None: ...

    def latest_graded_answer(self, channel: ChannelRef, member: MemberRef) -> StoredAnswer | None: ...

    def open_contest(self, answer_id: int, point: str, now: dt.datetime) -> tuple[Contest, bool]: ...

    def contest(self, contest_id: int) -> Contest | None: ...

    def contests(self, channel: ChannelRef | None, status: ContestStatus | None = None) -> list[Contest]: ...

    def decide_contest(
        self, contest_id: int, status: ContestStatus, reason: str, by: str, now: dt.datetime
    ) -> bool: ...


class Recaps(Protocol):
    def recap_channels(self) -> list[tuple[ChannelSettings, str | None]]:
        """Active channels that opted in to the weekly recap, each with the last week it got a recap of."""
        ...

    def claim_recap(
        self, channel: ChannelRef, week: str, now: dt.datetime, stale_before: dt.datetime
    ) -> bool: ...

    def renew_recap_claim(self, channel: ChannelRef, week: str, now: dt.datetime) -> None: ...

    def mark_recap_posted(
        self, channel: ChannelRef, week: str, message_id: str, now: dt.datetime
    ) -> None: ...

    def recap_data(
        self, channel: ChannelRef, week: str, start: dt.datetime, end: dt.datetime, top: int = 3
    ) -> RecapData: ...


class Ledger(Protocol):
    def award(self, round_: Round, member: MemberRef, reason: str, points: int, now: dt.datetime) -> bool: ...

    def points_by_member(
        self,
        *,
        channel: ChannelRef | None = None,
        platform: Platform | None = None,
        workspace_id: str | None = None,
        since: dt.datetime | None = None,
    ) -> list[tuple[MemberRef, int]]: ...

    def member_summary(self, member: MemberRef) -> MemberSummary: ...

    def answered_questions(self, member: MemberRef) -> list[tuple[str, float]]: ...

    def daily_participation(
        self, channel: ChannelRef, member: MemberRef
    ) -> list[tuple[dt.date, bool, bool]]: ...


class Reviews(Protocol):
    def review_card(self, member: MemberRef, question_id: str) -> ReviewState | None: ...

    def save_review_card(
        self,
        member: MemberRef,
        question_id: str,
        *,
        card: dict[str, Any],
        due_at: dt.datetime,
        now: dt.datetime,
        reason: str = "review",
        graded_round: int | None = None,
    ) -> bool: ...

    def due_reviews(self, member: MemberRef, now: dt.datetime) -> list[ReviewState]: ...

    def next_review_at(self, member: MemberRef, after: dt.datetime | None = None) -> dt.datetime | None:
        """When the member's next review card is due (the first one due after `after`, if given)."""
        ...

    def seen_question_ids(self, member: MemberRef) -> set[str]: ...


class Health(Protocol):
    def ping(self) -> None:
        """A trivial round trip to the database (raises when it cannot be reached)."""
        ...


class ProcessedEvents(Protocol):
    def mark_event(self, platform: Platform, event_id: str, now: dt.datetime) -> bool:
        """False when the event id was seen before: its effect is already stored."""
        ...


class Store(
    Channels,
    Members,
    Rounds,
    DailyRoundsRepo,
    AnswersAndVotes,
    Grades,
    Recaps,
    Ledger,
    Reviews,
    ProcessedEvents,
    Health,
    Protocol,
):
    """Every repository, inside one transaction. Implemented by storage.repository.SqlStore."""


class UnitOfWork(Protocol):
    """Transactions off the event loop: `run(work)` calls `work(store)` in one transaction on a worker
    thread and returns its result; it commits on success and rolls back on any exception."""

    async def run(self, work: Callable[[Store], T]) -> T: ...
