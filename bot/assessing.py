"""Grading answers through the grader port: as they arrive (for slow graders), and at the reveal.

A slow grader (a model endpoint) grades each answer in the background soon after it is stored, and the
grade is cached by (question, answer text, grader, model) in the database, so the reveal finds it ready and
another replica or a later reveal never asks the model twice. Only answers edited since, or never graded,
are graded at the reveal, each within the grader's time budget: the reveal never waits longer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from bot.core import EngineCore
from bot.domain import MemberRef, StoredAnswer
from bot.grading import Assessment, answer_hash
from bot.ports import Store
from bot.questions import Question

log = logging.getLogger("practicebot.grading")

# A member often sends an answer as several messages in a row: grade once they pause, not per message.
PREGRADE_DELAY_SECONDS = 2.0


class Assessing(EngineCore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Background grades by (round, member), and grades under way by cache key.
        self._pregrading: dict[tuple[int, tuple[str, str, str]], asyncio.Task[None]] = {}
        self._in_flight: dict[tuple[str, str, str, str], asyncio.Future[Assessment]] = {}

    def _cacheable(self, assessment: Assessment) -> bool:
        # A fallback grade is not the configured grader's: the next attempt should ask the model again.
        return assessment.fallback is None and self.grader.slow

    async def grade(self, question: Question, text: str) -> Assessment:
        """One answer, from the cache when a slow grader already graded this text. A grade of the same text
        already under way (an answer graded in the background when the reveal comes) is waited for, within
        the grader's budget, rather than asked for twice."""
        if not self.grader.slow:
            return await self.grader.grade(question, text)
        key = (question.id, answer_hash(text), self.grader.name, self.grader.model)
        running = self._in_flight.get(key)
        if running is None:
            running = self._in_flight[key] = asyncio.ensure_future(self._grade_and_cache(question, text, key))
            running.add_done_callback(lambda _done: self._in_flight.pop(key, None))
        try:
            return await asyncio.wait_for(asyncio.shield(running), self.grader.timeout)
        except TimeoutError:
            return await self._fallback(question, text)

    async def _grade_and_cache(
        self, question: Question, text: str, key: tuple[str, str, str, str]
    ) -> Assessment:
        cached = await self.tx(lambda store: store.cached_assessment(*key))
        if cached is not None:
            return cached
        assessment = await self._grade_in_time(question, text)
        if self._cacheable(assessment):
            now = self.clock.now()
            await self.tx(lambda store: store.save_assessment(key[0], key[1], assessment, now))
        return assessment

    async def _fallback(self, question: Question, text: str) -> Assessment:
        budget = self.grader.timeout
        fallback = await self.fallback_grader.grade(question, text)
        return fallback.model_copy(update={"fallback": f"the model did not answer within {budget:g} s"})

    async def _grade_in_time(self, question: Question, text: str) -> Assessment:
        """The grader within its budget (waiting for a free slot included); the default grader otherwise."""
        try:
            return await asyncio.wait_for(self.grader.grade(question, text), self.grader.timeout)
        except TimeoutError:
            return await self._fallback(question, text)

    async def grade_all(self, question: Question, answers: Sequence[StoredAnswer]) -> dict[int, Assessment]:
        """Every answer of a round, at once (the grader bounds its own concurrency), by answer id."""
        grades = await asyncio.gather(*(self.grade(question, a.text) for a in answers))
        return {a.id: g for a, g in zip(answers, grades, strict=True)}

    def pregrade_soon(self, round_id: int, member: MemberRef) -> None:
        """Grade this member's answer in the background once they stop typing (slow graders only)."""
        if not self.grader.slow:
            return
        key = (round_id, member.key)
        if key in self._pregrading:
            return  # the pending task reads the answer as it is when it starts
        self._pregrading[key] = asyncio.create_task(self._pregrade(round_id, member, key))

    async def _pregrade(
        self, round_id: int, member: MemberRef, key: tuple[int, tuple[str, str, str]]
    ) -> None:
        try:
            await asyncio.sleep(PREGRADE_DELAY_SECONDS)
        finally:
            self._pregrading.pop(key, None)

        def read(store: Store) -> tuple[str, str] | None:
            round_ = store.round(round_id)
            if round_ is None:
                return None
            own = [a for a in store.answers(round_id) if a.member == member]
            return (round_.question_id, own[0].text) if own else None

        try:
            found = await self.tx(read)
            question = self.questions.get(found[0]) if found else None
            if found is None or question is None:
                return
            await self.grade(question, found[1])
        except Exception:  # background work: the reveal grades whatever was not graded here
            log.warning("background grading failed", exc_info=True)

    async def close_grading(self) -> None:
        running: list[asyncio.Future[Any]] = [*self._pregrading.values(), *self._in_flight.values()]
        for task in running:
            task.cancel()
        closer = getattr(self.grader, "close", None)
        if closer is not None:
            await closer()
