"""Tables. The database is the ledger: uniqueness constraints make claims and points idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC ones (SQLite keeps no tz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ChannelRow(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "channel_id", name="uq_channels_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Schedule (used by the scheduler): local post time, days, IANA zone, reveal policy, filters.
    schedule_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    post_time: Mapped[str] = mapped_column(String(5), default="09:00")
    days: Mapped[str] = mapped_column(String(40), default="mon-fri")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    reveal_after_minutes: Mapped[int | None] = mapped_column(Integer, default=24 * 60)
    reveal_at_time: Mapped[str | None] = mapped_column(String(5), default=None)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulties: Mapped[list[str]] = mapped_column(JSON, default=list)
    packs: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer_mode: Mapped[str] = mapped_column(String(16), default="thread")
    # Minutes before the reveal to post a reminder in the thread; NULL: no reminder (the default).
    reminder_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    # When the schedule (time, days, zone; turned on or resumed) last changed: earlier slots never count.
    schedule_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    recap_weekly: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "user_id", name="uq_members_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (
        # One daily round per channel and local date; on-demand rounds leave daily_date NULL.
        UniqueConstraint("channel_id", "daily_date", name="uq_rounds_daily"),
        Index("ix_rounds_channel_message", "channel_id", "message_id"),
        Index("ix_rounds_channel_created", "channel_id", "created_at"),
        Index("ix_rounds_status_reveal_due", "status", "reveal_due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None)
    daily_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    posted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    reveal_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    revealed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    # A reveal that failed gave its claim back: how often, when to try again, and the last error's name.
    reveal_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reveal_retry_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    reveal_error: Mapped[str | None] = mapped_column(String(200), default=None)


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id", name="uq_answers_round_member"),
        Index("ix_answers_member_created", "member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # One answer per member and round may span several messages: [{"message_id": ..., "text": ...}].
    # Edits and deletions of one message change only its part.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    coverage: Mapped[float | None] = mapped_column(Float, default=None)
    covered_points: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The assessment the reveal used (bot.grading.Assessment as JSON): per-point verdicts and evidence.
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class VoteRow(Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("answer_id", "voter_id", name="uq_votes_answer_voter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PointRow(Base):
    """The points ledger: every point has a member, a round and a reason; awarding twice is impossible."""

    __tablename__ = "points"
    __table_args__ = (
        UniqueConstraint("member_id", "round_id", "reason", name="uq_points_member_round_reason"),
        Index("ix_points_channel_awarded", "channel_id", "awarded_at"),
        Index("ix_points_member_awarded", "member_id", "awarded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(Integer)
    awarded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ProcessedEventRow(Base):
    """Inbound platform events already handled (Slack retries; Discord resumes)."""

    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ReviewCardRow(Base):
    """A member's spaced-repetition card for one question (the fsrs card state, as its own dict)."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("member_id", "question_id", name="uq_review_cards_member_question"),
        Index("ix_review_cards_member_due", "member_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(16), default="review")  # "missed" when a round put it here
    last_round_id: Mapped[int | None] = mapped_column(Integer, default=None)  # the round last graded
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AssessmentRow(Base):
    """Grades by (question, answer text, grader, model): an answer is sent to a model once, not per reveal."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("question_id", "answer_hash", "grader", "model", name="uq_assessments_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80))
    answer_hash: Mapped[str] = mapped_column(String(64))
    grader: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ContestRow(Base):
    """ "I covered this": an author disputes a missed point; a channel admin accepts or rejects it."""

    __tablename__ = "contests"
    __table_args__ = (UniqueConstraint("answer_id", "point", name="uq_contests_answer_point"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    point: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | accepted | rejected
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)


class RecapRow(Base):
    """One weekly recap per channel and week: the row is the claim (a lease renewed while posting)."""

    __tablename__ = "recaps"
    __table_args__ = (UniqueConstraint("channel_id", "week", name="uq_recaps_channel_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))  # posting | posted
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    posted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    message_id: Mapped[str | None] = mapped_column(String(64), default=None)
