"""Claims as leases. A claim on a round (posting it, revealing it) is stamped with its time; another process
takes it over only when the stamp is older than the claim timeout (bot/daily.py). The process that holds
claims renews their stamps while it still works on them, so a slow fan-out (a platform answering each
post in seconds, thousands of channels) is never taken over, and posted twice, while its sender is alive."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING

from bot.ports import Store

if TYPE_CHECKING:
    from bot.core import EngineCore

log = logging.getLogger("practicebot.daily")

# Renewed this often: well inside the claim timeout (5 minutes), so a renewal can be late or fail once.
RENEW_EVERY_SECONDS = 60.0


def _renew(store: Store, *, ids: list[int], now: dt.datetime) -> int:
    return store.renew_claims(ids, now)


class Leases:
    def __init__(self, engine: EngineCore, *, every: float | None = None) -> None:
        self.engine = engine
        self.every = RENEW_EVERY_SECONDS if every is None else every
        self.held: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def hold(self, round_ids: Iterable[int]) -> None:
        self.held.update(round_ids)

    def release(self, round_ids: Iterable[int]) -> None:
        self.held.difference_update(round_ids)

    async def __aenter__(self) -> Leases:
        self._task = asyncio.create_task(self._renew_while_held())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.held.clear()

    async def _renew_while_held(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            ids = sorted(self.held)
            if not ids:
                continue
            now = self.engine.clock.now()
            try:
                renewed = await self.engine.tx(partial(_renew, ids=ids, now=now))
                log.debug("claims renewed", extra={"rounds": renewed})
            except Exception as exc:  # the next renewal tries again, well before the claims run out
                log.warning("claims not renewed", extra={"rounds": len(ids), "error": type(exc).__name__})
