"""The work that follows an ack. Listeners ack, hand the rest over here and return, so Bolt answers Slack
at once; the work then runs a few jobs at a time.

Acks come first. The engine no longer blocks the event loop (its storage runs on database threads), but
Python threads share one interpreter lock: jobs working while a burst of requests is still arriving take
the CPU from those acks. Measured with bench/slack_ack.py (200 concurrent `/practice question`, 20
bursts, three runs): starting jobs at once gave a median burst p99 of 1.55-1.76x the bare Bolt floor;
waiting only while requests are in flight (no quiet period) 1.68-1.72x, because arrivals have gaps; waiting
for a short lull brings it back near the floor (see the issue note for the figures)."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("practicebot.slack")

WORK_CONCURRENCY = 8  # commands and clicks worked on at once, after their acks
# Work after an ack starts once the HTTP endpoint is answering nothing and has had no request come in or go
# out for ACK_LULL seconds, or after ACK_LULL_MAX_WAIT at the latest, so steady traffic cannot hold it back.
ACK_LULL = 0.05
ACK_LULL_MAX_WAIT = 1.0


class BackgroundWork:
    """A job starts in a lull: when the HTTP server (which reports each request through `incoming()`) is
    answering nothing and has been quiet for `lull` seconds, or after `max_wait`, so steady traffic cannot
    hold the work back. Without an HTTP server (Socket Mode) there is no lull to wait for."""

    def __init__(
        self,
        concurrency: int = WORK_CONCURRENCY,
        *,
        lull: float = ACK_LULL,
        max_wait: float = ACK_LULL_MAX_WAIT,
    ) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self.lull = lull
        self.max_wait = max_wait
        self._in_flight = 0
        self._last_traffic = -math.inf  # event-loop time a request last came in or was answered
        self._lull_turn = asyncio.Lock()  # jobs wait for the lull one by one, so they start in FIFO order

    @contextmanager
    def incoming(self) -> Iterator[None]:
        """Around the handling of one request that Slack waits for (the HTTP server's POST handler)."""
        loop = asyncio.get_running_loop()
        self._in_flight += 1
        self._last_traffic = loop.time()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._last_traffic = loop.time()

    async def _wait_for_lull(self) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.max_wait
        while True:
            now = loop.time()
            quiet_in = self._last_traffic + self.lull - now
            if (self._in_flight == 0 and quiet_in <= 0) or now >= give_up:
                return
            await asyncio.sleep(min(max(quiet_in, self.lull / 4, 0.001), give_up - now))

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
                await asyncio.sleep(0)
                async with self._lull_turn:
                    await self._wait_for_lull()
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
