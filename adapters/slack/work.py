"""The work that follows an ack. Listeners ack, hand the rest over here and return, so Bolt answers Slack
at once; the work then runs a few jobs at a time. The engine runs its storage off the event loop, so a
job never holds up the acks of the requests behind it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("practicebot.slack")

WORK_CONCURRENCY = 8  # commands and clicks worked on at once, after their acks


class BackgroundWork:
    def __init__(self, concurrency: int = WORK_CONCURRENCY) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, job: Callable[..., Awaitable[Any]], *args: Any, urgent: bool = False) -> None:
        """Run `job(*args)` after the ack; `urgent` jobs (a trigger id about to expire) skip the queue."""
        task = asyncio.create_task(self._run(job, args, urgent))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Callable[..., Awaitable[Any]], args: tuple[Any, ...], urgent: bool) -> None:
        try:
            if urgent:
                await job(*args)
                return
            async with self._slots:
                await job(*args)
        except Exception as exc:  # jobs handle their own errors; this is the last line of defence
            log.error("slack background job failed", extra={"error": type(exc).__name__})

    async def drain(self, timeout: float) -> None:
        """On stop: let running and queued work finish for a while, then cancel what is left."""
        pending = set(self._tasks)
        if not pending:
            return
        _done, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            log.warning("slack work cancelled at stop", extra={"jobs": len(late)})
            await asyncio.gather(*late, return_exceptions=True)
