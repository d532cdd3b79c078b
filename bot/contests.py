"""Contests: "I covered this" on a point the grader missed, decided by a channel admin.

A contest alone changes nothing. Accepted, the point counts: the answer's assessment and coverage change and
the ledger gets a correcting line (reason `contest-<id>`) with the coverage points the point was worth, in the
same transaction that records the decision, so a retried or doubled decision never pays twice. Rejected, it
stays on record. `practicebot grading export` turns decided contests into labelled data for bench/.
"""

from __future__ import annotations

import logging
import math

from bot import cards
from bot.domain import Card, ContestStatus, MemberRef, Reply, RoundKind, StoredAnswer, Visibility
from bot.events import CommandContext
from bot.grading import Assessment, Verdict
from bot.ports import Store
from bot.standings import Standings

log = logging.getLogger("practicebot.engine")


def contestable(assessment: Assessment) -> list[tuple[int, str]]:
    """(number on the card, label) of the points an author may contest: missed or only partly covered."""
    return [
        (number, point.label)
        for number, point in enumerate(assessment.points, start=1)
        if point.verdict is not Verdict.COVERED
    ]


def _authored_by(answer: StoredAnswer, member: MemberRef) -> bool:
    """A member reference without a workspace (a button clicked in a direct message, which names no server)
    is matched by platform and user id alone."""
    if member.workspace_id:
        return answer.member == member
    return (answer.member.platform, answer.member.user_id) == (member.platform, member.user_id)


class Contests(Standings):
    def _coverage_points(self, assessment: Assessment) -> int:
        return math.floor(assessment.score * self.config.scoring.coverage_max + 0.5)

    async def contest(
        self,
        member: MemberRef,
        point: int,
        *,
        answer_id: int | None = None,
        ctx: CommandContext | None = None,
    ) -> Reply:
        """Record a contest of key point `point` of an answer: the one a feedback button names, or the
        member's latest graded answer in the command's channel."""
        now = self.clock.now()

        def work(store: Store) -> Card:
            answer: StoredAnswer | None
            if answer_id is not None:
                answer = store.answer(answer_id)
            else:
                assert ctx is not None
                answer = store.latest_graded_answer(ctx.channel, member)
            if answer is None or not _authored_by(answer, member):
                return cards.notice_card(
                    "There is no graded answer of yours to contest yet: contests open after a reveal."
                )
            assessment = store.answer_assessment(answer.id)
            if assessment is None:
                return cards.notice_card(
                    "That answer has not been graded yet: contests open after the reveal."
                )
            open_points = dict(contestable(assessment))
            if point not in open_points:
                numbers = ", ".join(str(n) for n in open_points) or "none"
                return cards.notice_card(
                    f"Point {point} is not one you can contest on that answer (missed or partial points: "
                    f"{numbers})."
                )
            contest, created = store.open_contest(answer.id, open_points[point], now)
            if created:
                log.info("contest opened", extra={"contest": contest.id, "answer": answer.id})
            return cards.contest_opened_card(contest, created=created)

        return Reply(card=await self.tx(work))

    async def list_contests(self, ctx: CommandContext) -> Reply:
        items = await self.tx(lambda store: store.contests(ctx.channel, ContestStatus.OPEN))
        return Reply(card=cards.contests_card(items))

    async def decide_contest(
        self, ctx: CommandContext, contest_id: int, *, accept: bool, reason: str
    ) -> Reply:
        if not ctx.is_admin:
            return Reply(card=cards.notice_card("Only channel admins can accept or reject contests."))
        now = self.clock.now()
        status = ContestStatus.ACCEPTED if accept else ContestStatus.REJECTED

        def work(store: Store) -> Card:
            contest = store.contest(contest_id)
            if contest is None or contest.channel.key != ctx.channel.key:
                return cards.notice_card(f"There is no contest #{contest_id} in this channel.")
            if not store.decide_contest(contest_id, status, reason, ctx.member.user_id, now):
                return cards.notice_card(f"Contest #{contest_id} was already {contest.status.value}.")
            awarded = 0
            if accept:
                awarded = self._accept(store, contest.answer_id, contest.point, contest_id)
            decided = contest.model_copy(update={"status": status, "reason": reason})
            log.info("contest decided", extra={"contest": contest_id, "status": status.value})
            return cards.contest_decided_card(decided, awarded)

        return Reply(card=await self.tx(work))

    def _accept(self, store: Store, answer_id: int, point: str, contest_id: int) -> int:
        """The point counts from now on; the ledger gets what it was worth (channel rounds, on time)."""
        before = store.answer_assessment(answer_id)
        answer = store.answer(answer_id)
        if before is None or answer is None:
            return 0
        after = before.with_points_accepted([point])
        store.save_feedback(answer_id, after)
        round_ = store.round(answer.round_id)
        if round_ is None or round_.visibility is not Visibility.PUBLIC or answer.late:
            return 0
        if round_.kind is RoundKind.REVIEW:
            return 0
        delta = self._coverage_points(after) - self._coverage_points(before)
        if delta > 0 and store.award(round_, answer.member, f"contest-{contest_id}", delta, self.clock.now()):
            return delta
        return 0
