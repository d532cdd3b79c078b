"""What every use case shares: the ports, the configuration, and the one way off the event loop.

Storage work runs as a function of one transaction through `UnitOfWork.run` (threads sized for the
database, see storage/); other blocking work (charts) through `off_loop`. Use cases never touch the
database or draw inline on the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.coverage import vocabulary
from bot.domain import Card, ChannelRef, ChannelSettings, IncomingAnswer, MemberRef, ThreadRef
from bot.grading import Grader, LexicalGrader
from bot.ports import ChannelUnreachable, ChatPort, Clock, QuestionSource, Store, UnitOfWork
from bot.scoring import ScoringRules

T = TypeVar("T")

log = logging.getLogger("practicebot.engine")


@dataclass(frozen=True)
class EngineConfig:
    answer_max_chars: int = 4000
    default_timezone: str = "UTC"
    default_time: str = "09:00"
    scoring: ScoringRules = field(default_factory=ScoringRules)
    charts: bool = True  # attach a leaderboard bar chart where the platform takes files


class EngineCore:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        questions: QuestionSource,
        clock: Clock,
        chat: Mapping[str, ChatPort],
        config: EngineConfig | None = None,
        grader: Grader | None = None,
    ) -> None:
        self.uow = uow
        self.questions = questions
        self.clock = clock
        self.chat = dict(chat)
        self.config = config or EngineConfig()
        # Called after a channel's schedule changes (the scheduler rebuilds its jobs).
        self.schedule_listeners: list[Callable[[], Awaitable[None]]] = []
        # The default grader is also what a failing configured grader falls back to; it is built from the
        # bank's vocabulary once (the composition root usually built it already).
        fallback = grader if isinstance(grader, LexicalGrader) else getattr(grader, "fallback", None)
        if not isinstance(fallback, LexicalGrader):
            fallback = LexicalGrader(vocabulary(questions.all()))
        self.fallback_grader: LexicalGrader = fallback
        self.grader: Grader = grader or fallback
        # Channels a command recently found active, by key, with when (see Engine._reactivate).
        self._active_checked: dict[tuple[str, str, str], float] = {}

    async def tx(self, work: Callable[[Store], T]) -> T:
        """Run `work(store)` as one transaction, off the event loop."""
        return await self.uow.run(work)

    async def ready(self, timeout: float = 1.0) -> bool:
        """The database answers a trivial query within `timeout` seconds (readiness probes)."""
        try:
            await asyncio.wait_for(self.tx(lambda store: store.ping()), timeout)
        except Exception as exc:  # down, refusing, or too slow: not ready, and say why in the log
            log.warning("database not ready", extra={"error": type(exc).__name__})
            return False
        return True

    @staticmethod
    async def off_loop(work: Callable[[], T]) -> T:
        """CPU-bound or blocking work that is not storage (charts)."""
        return await asyncio.to_thread(work)

    def defaults(self, channel: ChannelRef) -> ChannelSettings:
        return ChannelSettings(
            channel=channel, timezone=self.config.default_timezone, post_time=self.config.default_time
        )

    def chat_for(self, channel: ChannelRef) -> ChatPort:
        try:
            port = self.chat[channel.platform.value]
        except KeyError:
            raise LookupError(f"no chat adapter for {channel.platform.value}") from None
        return _NoticingGone(port, self)

    async def deactivate_channel(self, channel: ChannelRef) -> None:
        """The platform says the channel no longer exists: stop scheduling it; its history stays."""
        defaults = self.defaults(channel)
        await self.tx(lambda store: store.update_channel(channel, defaults, active=False))
        self.forget_active(channel)
        log.info("channel deactivated", extra={"channel": channel.channel_id})

    def forget_active(self, channel: ChannelRef) -> None:
        """The next command in this channel checks again whether it must be made active (Engine)."""
        self._active_checked.pop(channel.key, None)


class _NoticingGone:
    """The ChatPort every use case posts through: a post refused because the channel is gone marks the
    channel inactive (once, here) before the error goes on to the caller."""

    def __init__(self, port: ChatPort, core: EngineCore) -> None:
        self.port = port
        self.platform = port.platform
        self.core = core

    async def _gone(self, channel: ChannelRef, exc: ChannelUnreachable) -> None:
        if exc.gone:
            log.warning("channel is gone; marking it inactive", extra={"channel": channel.channel_id})
            await self.core.deactivate_channel(channel)

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        try:
            return await self.port.post_round(channel, card)
        except ChannelUnreachable as exc:
            await self._gone(channel, exc)
            raise

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        try:
            return await self.port.post_in_thread(thread, card)
        except ChannelUnreachable as exc:
            await self._gone(thread.channel, exc)
            raise

    async def post_notice(self, channel: ChannelRef, card: Card) -> str:
        try:
            return await self.port.post_notice(channel, card)
        except ChannelUnreachable as exc:
            await self._gone(channel, exc)
            raise

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        await self.port.send_private(channel, member, card)

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        return await self.port.fetch_replies(thread)

    async def find_posted(self, channel: ChannelRef, card: Card, since: dt.datetime) -> str | None:
        finder = getattr(self.port, "find_posted", None)
        if finder is None:
            return None
        found: str | None = await finder(channel, card, since)
        return found
