"""A member's own progress: spaced-repetition review, the leaderboard and stats."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from bot import cards
from bot.charts import leaderboard_png
from bot.domain import (
    Card,
    ChannelRef,
    LeaderboardPeriod,
    LeaderboardRow,
    MemberRef,
    MemberStats,
    Reply,
    Round,
    RoundKind,
    RoundStatus,
    Section,
    Visibility,
)
from bot.events import CommandContext
from bot.ports import MemberSummary, Store
from bot.questions import Question
from bot.review import Grade, first_card, grade
from bot.rounds import Rounds
from bot.scoring import competition_ranks, streaks
from bot.selection import choose

log = logging.getLogger("practicebot.engine")

LEADERBOARD_SIZE = 10
PERIOD_LABELS = {"week": "this week", "month": "this month", "all": "all time"}


class Standings(Rounds):
    # --- personal review (spaced repetition) ------------------------------------------------------------

    async def review_next(self, ctx: CommandContext) -> list[Reply]:
        """The member's most overdue review question, or a new one they have never seen, privately."""
        now, member = self.clock.now(), ctx.member
        defaults = self.defaults(ctx.channel)

        def work(store: Store) -> tuple[Round, Question, str] | str:
            settings = store.channel(ctx.channel, defaults)
            zone = ZoneInfo(settings.timezone)
            local_now = now.astimezone(zone)
            end_of_day = (local_now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            due = store.due_reviews(member, now)
            due_today = store.due_reviews(member, end_of_day.astimezone(dt.UTC))
            upcoming = store.next_review_at(member, after=end_of_day.astimezone(dt.UTC))
            summary = cards.review_summary(len(due), len(due_today) - len(due), upcoming, zone)
            # Cards of questions no longer in the library (a pack was removed) are passed over.
            question = next((q for q in (self.questions.get(c.question_id) for c in due) if q), None)
            if question is None:
                seen = store.seen_question_ids(member)
                fresh = [q for q in self.questions.all() if q.id not in seen]
                question = choose(fresh, asked_newest_first=[], seed=f"review:{member.user_id}:{len(seen)}")
                if question is None:
                    upcoming = store.next_review_at(member, after=now)
                    when = cards.local_time(upcoming, zone) if upcoming else "later"
                    return f"Nothing to review now. Next review: {when}."
                card = first_card(member.user_id, question.id, now)
                store.save_review_card(member, question.id, card=card, due_at=now, now=now, reason="new")
            store.register_channel(ctx.channel, defaults)
            round_ = store.create_round(
                ctx.channel,
                question_id=question.id,
                category=question.category.value,
                kind=RoundKind.REVIEW,
                visibility=Visibility.PRIVATE,
                now=now,
                requested_by=member,
            )
            assert round_ is not None
            return round_, question, summary

        result = await self.tx(work)
        if isinstance(result, str):
            return [Reply(card=cards.notice_card(result))]
        round_, question, summary = result
        card = cards.question_card(round_, question, private=True, review=True)
        extra = Section(heading="Your reviews", body=summary)
        return [Reply(card=card.model_copy(update={"sections": (*card.sections, extra)}))]

    async def review_grade(
        self, member: MemberRef, channel: ChannelRef | None, how: Grade, round_id: int | None = None
    ) -> Reply:
        """Self-grade the last revealed review question in `channel` (or `round_id`, from a button)."""
        now = self.clock.now()

        def work(store: Store) -> str | dt.datetime:
            if round_id is not None:
                round_ = store.round(round_id)
            elif channel is not None:
                # The newest review question, revealed or not: one still open gets "reveal first".
                round_ = store.latest_round(
                    channel,
                    statuses=[RoundStatus.OPEN, RoundStatus.REVEALED],
                    kinds=[RoundKind.REVIEW],
                    requested_by=member,
                )
            else:
                round_ = None
            if round_ is None or round_.kind is not RoundKind.REVIEW or round_.requested_by != member:
                return "No revealed review question to grade. Try /practice review."
            if round_.status is not RoundStatus.REVEALED:
                return "Reveal the answer first, then grade yourself."
            state = store.review_card(member, round_.question_id)
            card = first_card(member.user_id, round_.question_id, now) if state is None else state.card
            card, due = grade(card, how, now)
            if not store.save_review_card(
                member, round_.question_id, card=card, due_at=due, now=now, graded_round=round_.id
            ):
                return "You already graded this one."
            return due

        outcome = await self.tx(work)
        if isinstance(outcome, str):
            return Reply(card=cards.notice_card(outcome))
        return Reply(
            card=cards.notice_card(
                f"Graded {how.value}. You will see this question again on {outcome.strftime('%Y-%m-%d')}.",
                title="Review",
            )
        )

    # --- leaderboard and stats --------------------------------------------------------------------------

    def period_start(self, period: LeaderboardPeriod, timezone: str) -> dt.datetime | None:
        if period is LeaderboardPeriod.ALL:
            return None
        local = self.clock.now().astimezone(ZoneInfo(timezone))
        day = local.date()
        start = (
            day - dt.timedelta(days=day.weekday()) if period is LeaderboardPeriod.WEEK else day.replace(day=1)
        )
        return dt.datetime.combine(start, dt.time(), tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)

    async def leaderboard(
        self,
        channel: ChannelRef,
        period: LeaderboardPeriod,
        *,
        workspace: bool = False,
        member: MemberRef | None = None,
    ) -> tuple[list[LeaderboardRow], LeaderboardRow | None]:
        defaults = self.defaults(channel)

        def work(store: Store) -> list[tuple[MemberRef, int]]:
            settings = store.channel(channel, defaults)
            since = self.period_start(period, settings.timezone)
            if workspace:
                return store.points_by_member(
                    platform=channel.platform, workspace_id=channel.workspace_id, since=since
                )
            return store.points_by_member(channel=channel, since=since)

        totals = await self.tx(work)
        ranks = competition_ranks([points for _, points in totals])
        rows = [LeaderboardRow(rank=r, member=m, points=p) for r, (m, p) in zip(ranks, totals, strict=True)]
        own = next((row for row in rows if member is not None and row.member == member), None)
        return rows[:LEADERBOARD_SIZE], own

    async def leaderboard_card(
        self, ctx: CommandContext, period: LeaderboardPeriod, *, workspace: bool
    ) -> Card:
        rows, own = await self.leaderboard(ctx.channel, period, workspace=workspace, member=ctx.member)
        scope = "workspace" if workspace else (f"#{ctx.channel.name}" if ctx.channel.name else "channel")
        chart = None
        if rows and self.config.charts:
            title = f"{scope} · {PERIOD_LABELS[period.value]}"
            try:
                chart = await self.off_loop(lambda: leaderboard_png(rows, title))
            except Exception:  # a chart is a nicety: the text board still goes out
                log.warning("leaderboard chart failed", exc_info=True)
        return cards.leaderboard_card(rows, own, period=period, scope=scope, chart=chart)

    async def stats(self, member: MemberRef, channel: ChannelRef | None = None) -> MemberStats:
        """Totals everywhere; streaks in `channel` (streaks are per channel, in its local dates)."""

        def work(
            store: Store,
        ) -> tuple[MemberSummary, list[tuple[str, float]], list[tuple[dt.date, bool, bool]]]:
            summary = store.member_summary(member)
            answered = store.answered_questions(member)
            history = store.daily_participation(channel, member) if channel else []
            return summary, answered, history

        summary, answered, history = await self.tx(work)
        by_topic: dict[str, list[float]] = {}
        for question_id, coverage in answered:
            question = self.questions.get(question_id)
            for topic in question.topics if question else ():
                by_topic.setdefault(topic, []).append(coverage)
        current, best = streaks(history)
        return MemberStats.model_validate(
            {
                "member": member,
                **summary,
                "current_streak": current,
                "best_streak": best,
                "by_topic": {t: sum(v) / len(v) for t, v in by_topic.items()},
                "answers_by_topic": {t: len(v) for t, v in by_topic.items()},
            }
        )

    async def stats_reply(self, ctx: CommandContext, who: str | None) -> Reply:
        member: MemberRef | None = ctx.member
        if who:
            channel = ctx.channel
            member = await self.tx(
                lambda store: store.find_member(channel.platform, channel.workspace_id, who)
            )
            if member is None:
                return Reply(card=cards.notice_card(f"I don't know anyone called {who} here yet."))
        assert member is not None
        return Reply(card=cards.stats_card(await self.stats(member, ctx.channel)))
