"""What the core needs from the outside world, as Protocols. Adapters and storage implement them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from bot.domain import Card, ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef
from bot.questions import Question


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

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        """Show a card to one member only (ephemeral message, DM, console aside)."""
        ...

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        """Read the thread back, so answers that arrived while the bot was down are not lost."""
        ...


class FindsPosted(Protocol):
    """Optional ChatPort capability: after a crash between sending a card and recording its id, find the
    message the bot already sent for this card (same kind and round) since `since`, so a retry does not post
    it twice. Adapters mark their messages (Slack message metadata, a Discord embed footer, ...)."""

    async def find_posted(self, channel: ChannelRef, card: Card, since: dt.datetime) -> str | None: ...


class QuestionSource(Protocol):
    def get(self, question_id: str) -> Question | None: ...

    def all(self) -> Sequence[Question]: ...


class UnitOfWorkFactory(Protocol):
    """Opens a transaction; the store it yields commits on success and rolls back on error."""

    def __call__(self) -> AbstractContextManager[Store]: ...


class Store(Protocol):  # implemented by storage.repository.SqlStore
    ...
