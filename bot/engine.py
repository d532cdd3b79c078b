"""The core's use cases. Adapters call these; every rule of the game lives here or below."""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot import cards
from bot.charts import leaderboard_png
from bot.commands import (
    ConfigCmd,
    GradeCmd,
    HelpCmd,
    LeaderboardCmd,
    QuestionCmd,
    RevealCmd,
    ReviewCmd,
    ScheduleCmd,
    StatsCmd,
    TopicsCmd,
    UsageProblem,
    parse,
)
from bot.coverage import Coverage, assess, vocabulary
from bot.domain import (
    AnswerResult,
    Card,
    ChannelRef,
    ChannelSettings,
    IncomingAnswer,
    LeaderboardPeriod,
    LeaderboardRow,
    MemberRef,
    MemberStats,
    RecordedAnswer,
    Reply,
    Round,
    RoundKind,
    RoundStatus,
    StoredAnswer,
    ThreadRef,
    Visibility,
    VoteResult,
)
from bot.ports import ChatPort, Clock, QuestionSource, UnitOfWorkFactory
from bot.questions import Category, Difficulty
from bot.review import Grade, grade, new_card
from bot.scoring import ScoringRules, award_lines, competition_ranks, streaks
from bot.selection import choose, filter_pool
from bot.timing import next_slots

log = logging.getLogger("practicebot.engine")

LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class CommandContext:
    """Who ran a command, where, and what the adapter knows about their rights."""

    channel: ChannelRef
    member: MemberRef
    is_admin: bool = False
    # Slack and Discord answer an on-demand question privately first; the console posts a round directly.
    question_visibility: Visibility = Visibility.PUBLIC


@dataclass(frozen=True)
class EngineConfig:
    answer_max_chars: int = 4000
    default_timezone: str = "UTC"
    default_time: str = "09:00"
    scoring: ScoringRules = field(default_factory=ScoringRules)
    charts: bool = True  # attach a leaderboard bar chart where the platform takes files


class Engine:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        questions: QuestionSource,
        clock: Clock,
        chat: Mapping[str, ChatPort],
        config: EngineConfig | None = None,
    ) -> None:
        self.uow = uow
        self.questions = questions
        self.clock = clock
        self.chat = dict(chat)
        self.config = config or EngineConfig()
        # Called after a channel's schedule changes (the scheduler rebuilds that channel's job).
        self.schedule_listeners: list[Callable[[], None]] = []
        # The bank's words: an answer word among them is never graded as a typo of a key-point term.
        self.known_words = vocabulary(questions.all())

    # --- commands ---------------------------------------------------------------------------------------

    async def handle_command(self, ctx: CommandContext, text: str) -> list[Reply]:
        """Run one `/practice ...` line. Bad input yields a usage card; nothing here raises to a user."""
        command = parse(text)
        match command:
            case UsageProblem():
                return [Reply(card=cards.usage_card(command))]
            case HelpCmd(topic=topic):
                return [Reply(card=cards.help_card(topic))]
            case QuestionCmd(category=category, difficulty=difficulty):
                return await self.ask(
                    ctx.channel,
                    requested_by=ctx.member,
                    category=category,
                    difficulty=difficulty,
                    visibility=ctx.question_visibility,
                )
            case RevealCmd():
                return await self.reveal_latest(ctx)
            case LeaderboardCmd(period=period, workspace=workspace):
                return [Reply(card=self.leaderboard_card(ctx, period, workspace=workspace))]
            case StatsCmd(member=who):
                return [self.stats_reply(ctx, who)]
            case TopicsCmd():
                counts = {c.value: 0 for c in Category}
                for q in self.questions.all():
                    counts[q.category.value] += 1
                return [Reply(card=cards.topics_card(counts, len(self.questions.all())))]
            case ReviewCmd():
                return await self.review_next(ctx)
            case GradeCmd(grade=how):
                return [self.review_grade(ctx, Grade(how))]
            case ScheduleCmd() | ConfigCmd():
                return [Reply(card=self.configure(ctx, command))]
        raise AssertionError(f"unhandled command {command!r}")

    # --- ask --------------------------------------------------------------------------------------------

    def channel_settings(self, channel: ChannelRef) -> ChannelSettings:
        with self.uow() as store:
            return store.channel(channel, self._defaults(channel))

    def _defaults(self, channel: ChannelRef) -> ChannelSettings:
        return ChannelSettings(
            channel=channel, timezone=self.config.default_timezone, post_time=self.config.default_time
        )

    async def ask(
        self,
        channel: ChannelRef,
        *,
        requested_by: MemberRef | None = None,
        category: Category | None = None,
        difficulty: Difficulty | None = None,
        visibility: Visibility = Visibility.PUBLIC,
    ) -> list[Reply]:
        now = self.clock.now()
        with self.uow() as store:
            settings = store.channel(channel, self._defaults(channel))
            pool = filter_pool(
                self.questions.all(),
                categories=[category.value] if category else settings.categories,
                difficulties=[difficulty.value] if difficulty else settings.difficulties,
                packs=settings.packs,
            )
            asked, rounds_so_far = store.question_history(channel)
            question = choose(
                pool,
                asked_newest_first=asked,
                seed=f"{channel.platform}:{channel.channel_id}:{rounds_so_far}",
            )
            if question is None:
                return [
                    Reply(
                        card=cards.notice_card(
                            "No question matches those filters. /practice topics shows what is available."
                        )
                    )
                ]
            round_ = store.create_round(
                channel,
                question_id=question.id,
                category=question.category.value,
                kind=RoundKind.ON_DEMAND,
                visibility=visibility,
                now=now,
                requested_by=requested_by,
            )
        assert round_ is not None  # only daily rounds can collide
        private = visibility is Visibility.PRIVATE
        card = cards.question_card(round_, question, private=private)
        if private:
            return [Reply(card=card)]
        message_id = await self.chat_for(channel).post_round(channel, card)
        with self.uow() as store:
            store.mark_posted(round_.id, message_id, self.clock.now())
        log.info(
            "round posted", extra={"round": round_.id, "question": question.id, "channel": channel.channel_id}
        )
        return []

    # --- answers ----------------------------------------------------------------------------------------

    def record_answer(self, incoming: IncomingAnswer, *, sent_before_reveal: bool = False) -> RecordedAnswer:
        """Store one thread reply (or modal answer). Safe to call again with the same event id.
        `sent_before_reveal`: the reply was read back from the thread at the reveal, so it was there in time
        even though the round is already being revealed."""
        now = self.clock.now()
        text = incoming.text.strip()
        with self.uow() as store:
            if incoming.event_id and not store.mark_event(incoming.member.platform, incoming.event_id, now):
                return RecordedAnswer(result=AnswerResult.DUPLICATE_EVENT)
            if not text:
                return RecordedAnswer(result=AnswerResult.IGNORED_EMPTY)
            round_ = self._answerable_round(store, incoming)
            if round_ is None:
                return RecordedAnswer(result=AnswerResult.UNKNOWN_THREAD)
            late = round_.status in (RoundStatus.REVEALING, RoundStatus.REVEALED) and not sent_before_reveal
            limit = self.config.answer_max_chars
            truncated = len(text) > limit
            if truncated:
                text = text[:limit]
            created = store.save_answer_part(
                round_.id,
                incoming.member,
                message_id=incoming.message_id,
                text=text,
                now=incoming.at or now,
                late=late,
                truncated=truncated,
            )
        notices = []
        if truncated:
            notices.append(
                f"Your answer was longer than {limit} characters; only the first {limit} were kept."
            )
        if late:
            notices.append(
                "This question was already revealed: your answer is kept for feedback, without points."
            )
        if late:
            result = AnswerResult.LATE
        else:
            result = AnswerResult.RECORDED if created else AnswerResult.UPDATED
        log.info("answer recorded", extra={"round": round_.id, "result": result.value, "chars": len(text)})
        notice = cards.notice_card(" ".join(notices), title="About your answer") if notices else None
        return RecordedAnswer(result=result, round_id=round_.id, truncated=truncated, notice=notice)

    @staticmethod
    def _answerable_round(store, incoming: IncomingAnswer) -> Round | None:
        if incoming.thread is not None:
            return store.round_by_thread(incoming.thread)
        if incoming.round_id is None:
            return None
        round_ = store.round(incoming.round_id)
        # A round id comes from a button value: only members of the same workspace may answer it.
        if round_ is None or (round_.channel.platform, round_.channel.workspace_id) != (
            incoming.member.platform,
            incoming.member.workspace_id,
        ):
            return None
        return round_

    def withdraw_answer(self, thread: ThreadRef, member: MemberRef, message_id: str) -> bool:
        with self.uow() as store:
            round_ = store.round_by_thread(thread)
            if round_ is None:
                return False
            return store.withdraw_answer_part(round_.id, member, message_id, self.clock.now())

    def withdraw_message(self, thread: ThreadRef, message_id: str) -> bool:
        """A deleted reply whose author the platform does not name (Discord's MESSAGE_DELETE carries ids
        only): find the open round's answer holding that message and withdraw it like `withdraw_answer`."""
        with self.uow() as store:
            answer = store.answer_by_message(thread.channel, message_id)
        if answer is None:
            return False
        return self.withdraw_answer(thread, answer.member, message_id)

    def deactivate_channel(self, channel: ChannelRef) -> None:
        """The platform says the channel no longer exists: stop scheduling it; its history stays."""
        with self.uow() as store:
            store.update_channel(channel, self._defaults(channel), active=False)
        log.info("channel deactivated", extra={"channel": channel.channel_id})

    async def publish_round(self, round_id: int, *, by: MemberRef, is_admin: bool = False) -> list[Reply]:
        """'Post to channel' on a private question: it becomes a public round with a thread."""
        with self.uow() as store:
            round_ = store.round(round_id)
        if round_ is None or round_.channel.platform != by.platform:
            return [Reply(card=cards.notice_card("That question no longer exists."))]
        if round_.visibility is Visibility.PUBLIC or round_.status is not RoundStatus.OPEN:
            return [Reply(card=cards.notice_card("That question is already posted or revealed."))]
        if round_.requested_by != by and not is_admin:
            return [Reply(card=cards.notice_card("Only whoever asked for this question can post it."))]
        question = self.questions.get(round_.question_id)
        if question is None:
            return [Reply(card=cards.notice_card("This question is no longer in the library."))]
        with self.uow() as store:
            if not store.claim_publish(round_id):
                return [Reply(card=cards.notice_card("That question is already posted."))]
        public = round_.model_copy(update={"visibility": Visibility.PUBLIC})
        card = cards.question_card(public, question, private=False)
        try:
            message_id = await self.chat_for(round_.channel).post_round(round_.channel, card)
        except Exception:
            # Nothing was posted: give the round back to its asker so the button works again.
            with self.uow() as store:
                store.unpublish(round_id)
            raise
        with self.uow() as store:
            store.mark_posted(round_id, message_id, self.clock.now())
        return [Reply(card=cards.notice_card("Posted to the channel: answers go in its thread."))]

    def vote(
        self, channel: ChannelRef, answer_message_id: str, voter: MemberRef, *, add: bool = True
    ) -> VoteResult:
        """A peer upvote (a reaction) on an answer message: one per voter, never on one's own answer.
        Platforms report a reaction by channel and message only, so the answer is looked up among the
        channel's rounds not yet revealed (votes count until the reveal)."""
        with self.uow() as store:
            answer = store.answer_by_message(channel, answer_message_id)
            if answer is None:
                return VoteResult.NOT_AN_ANSWER
            if answer.member == voter:
                return VoteResult.SELF_VOTE
            if add:
                return (
                    VoteResult.ADDED
                    if store.add_vote(answer.id, voter, self.clock.now())
                    else VoteResult.ALREADY
                )
            return VoteResult.REMOVED if store.remove_vote(answer.id, voter) else VoteResult.ALREADY

    # --- reveal -----------------------------------------------------------------------------------------

    def open_round(self, channel: ChannelRef) -> Round | None:
        """The channel's newest public round still taking answers."""
        with self.uow() as store:
            return store.latest_round(channel, statuses=[RoundStatus.OPEN], visibility=Visibility.PUBLIC)

    async def reveal_latest(self, ctx: CommandContext) -> list[Reply]:
        with self.uow() as store:
            round_ = store.latest_round(
                ctx.channel, statuses=[RoundStatus.OPEN], visibility=Visibility.PUBLIC
            )
            private = store.latest_round(
                ctx.channel,
                statuses=[RoundStatus.OPEN],
                visibility=Visibility.PRIVATE,
                requested_by=ctx.member,
            )
        if private is not None and (round_ is None or private.created_at >= round_.created_at):
            round_ = private
        if round_ is None:
            return [
                Reply(
                    card=cards.notice_card(
                        "There is no open question in this channel. Start one with /practice question."
                    )
                )
            ]
        return await self.reveal(round_.id, by=ctx.member, is_admin=ctx.is_admin)

    async def reveal(
        self,
        round_id: int,
        *,
        by: MemberRef | None = None,
        is_admin: bool = True,
        stale_before: dt.datetime | None = None,
    ) -> list[Reply]:
        """Reveal a round once: claim it, read the thread back, score, post. `by=None` is the scheduler,
        which also passes `stale_before` to take over reveals a crashed process claimed but never finished."""
        with self.uow() as store:
            round_ = store.round(round_id)
            if round_ is None:
                return [Reply(card=cards.notice_card("That question no longer exists."))]
            if by is not None and not is_admin and round_.requested_by != by:
                return [
                    Reply(
                        card=cards.notice_card(
                            "Only whoever asked this question or a channel admin can reveal it early."
                        )
                    )
                ]
            retaking = round_.status is RoundStatus.REVEALING
            if not store.claim_reveal(round_id, self.clock.now(), stale_before):
                return [Reply(card=cards.notice_card("This question was already revealed."))]
        question = self.questions.get(round_.question_id)
        if question is None:
            # A pack was removed since the round started: close the round rather than retry forever.
            log.error("question missing", extra={"round": round_id, "question": round_.question_id})
            self._mark_revealed(round_id)
            return [Reply(card=cards.notice_card("This question is no longer in the library."))]
        if round_.thread is not None:
            await self._catch_up_thread(round_.thread)
        now = self.clock.now()
        feedback: list[tuple[StoredAnswer, Coverage, int]] = []
        # Feedback and points first (idempotent: the ledger refuses a second award), then the post, then
        # the status. A crash in between leaves the round 'revealing' for a retry, never scored twice.
        # Points only in channel rounds: a private or review question is practice, not a way to farm points.
        scored = round_.visibility is Visibility.PUBLIC
        rules = self.config.scoring
        with self.uow() as store:
            votes = store.vote_counts(round_id)
            for answer in store.answers(round_id):
                coverage = assess(answer.text, question.key_points, self.known_words)
                store.save_feedback(answer.id, coverage.score, coverage.covered)
                awarded = 0
                if scored:
                    lines = award_lines(
                        coverage, late=answer.late, votes=votes.get(answer.id, 0), rules=rules
                    )
                    if round_.kind is RoundKind.DAILY and not answer.late:
                        current, _best = streaks(store.daily_participation(round_.channel, answer.member))
                        if current in rules.streak_milestones:
                            lines.append((f"streak-{current}", rules.streak_bonus))
                    for reason, points in lines:
                        if store.award(round_, answer.member, reason, points, now):
                            awarded += points
                if coverage.missed and round_.kind is not RoundKind.REVIEW:
                    self._enqueue_review(store, answer.member, question.id, now, reason="missed")
                feedback.append((answer, coverage, awarded))
        card = cards.reveal_card(round_, question, [(a, c) for a, c, _ in feedback])
        log.info("round revealed", extra={"round": round_id, "answers": len(feedback)})
        if round_.thread is None:  # a private round: the reveal goes to whoever asked
            self._mark_revealed(round_id)
            own = [cards.feedback_card(question, a, c, pts) for a, c, pts in feedback]
            return [Reply(card=card)] + [Reply(card=c) for c in own]
        port = self.chat_for(round_.channel)
        if not (retaking and await self.already_posted(port, round_.channel, card, round_.claimed_at)):
            await port.post_in_thread(round_.thread, card)
        self._mark_revealed(round_id)
        for answer, coverage, awarded in feedback:
            await port.send_private(
                round_.channel, answer.member, cards.feedback_card(question, answer, coverage, awarded)
            )
        return []

    @staticmethod
    async def already_posted(
        port: ChatPort, channel: ChannelRef, card: Card, since: dt.datetime | None
    ) -> str | None:
        """After a crash between sending and recording, ask the platform whether the card went out.
        Ports that cannot tell (no `find_posted`) get the card again: a rare duplicate beats a lost post."""
        finder = getattr(port, "find_posted", None)
        if finder is None or since is None:
            return None
        try:
            return await finder(channel, card, since)
        except Exception:
            log.warning("could not check for an earlier post", exc_info=True)
            return None

    def _mark_revealed(self, round_id: int) -> None:
        with self.uow() as store:
            store.mark_revealed(round_id, self.clock.now())

    async def _catch_up_thread(self, thread: ThreadRef) -> None:
        """Record replies the bot missed (it was down, or an event was lost) before scoring."""
        try:
            replies = await self.chat_for(thread.channel).fetch_replies(thread)
        except Exception:  # reading back is best effort; the stored answers still count
            log.warning("could not read thread back", exc_info=True)
            return
        with self.uow() as store:
            round_ = store.round_by_thread(thread)
            known = {a.member for a in store.answers(round_.id)} if round_ else set()
        for reply in replies:
            # With a message id, recording again is harmless (the same message updates its own part), so a
            # missed second message of a known member is caught too; without one, only unknown members.
            if reply.message_id is not None or reply.member not in known:
                self.record_answer(reply.model_copy(update={"event_id": None}), sent_before_reveal=True)

    # --- personal review (spaced repetition) ------------------------------------------------------------

    @staticmethod
    def _enqueue_review(store, member: MemberRef, question_id: str, now: dt.datetime, *, reason: str) -> None:
        """Put a question in the member's review queue (due tomorrow) unless it is there already."""
        if store.review_card(member, question_id) is None:
            card, _ = new_card(zlib.crc32(f"{member.user_id}:{question_id}".encode()), now)
            store.save_review_card(
                member, question_id, card=card, due_at=now + dt.timedelta(days=1), now=now, reason=reason
            )

    async def review_next(self, ctx: CommandContext) -> list[Reply]:
        """The member's most overdue review question, or a new one they have never seen, privately."""
        now, member = self.clock.now(), ctx.member
        with self.uow() as store:
            # Cards of questions no longer in the library (a pack was removed) are passed over.
            question = next(
                (q for q in (self.questions.get(c.question_id) for c in store.due_reviews(member, now)) if q),
                None,
            )
            if question is None:
                seen = store.seen_question_ids(member)
                fresh = [q for q in self.questions.all() if q.id not in seen]
                question = choose(fresh, asked_newest_first=[], seed=f"review:{member.user_id}:{len(seen)}")
                if question is None:
                    upcoming = store.next_review_at(member)
                    when = upcoming.strftime("%Y-%m-%d %H:%M UTC") if upcoming else "later"
                    return [Reply(card=cards.notice_card(f"Nothing to review now. Next review: {when}."))]
                card, _ = new_card(zlib.crc32(f"{member.user_id}:{question.id}".encode()), now)
                store.save_review_card(member, question.id, card=card, due_at=now, now=now, reason="new")
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
        return [Reply(card=cards.question_card(round_, question, private=True, review=True))]

    def review_grade(self, ctx: CommandContext, how: Grade, round_id: int | None = None) -> Reply:
        """Self-grade the last revealed review question (or `round_id`, from a button)."""
        now = self.clock.now()
        with self.uow() as store:
            if round_id is not None:
                round_ = store.round(round_id)
            else:
                round_ = store.latest_round(
                    ctx.channel,
                    statuses=[RoundStatus.REVEALED],
                    kinds=[RoundKind.REVIEW],
                    requested_by=ctx.member,
                )
            if round_ is None or round_.kind is not RoundKind.REVIEW or round_.requested_by != ctx.member:
                return Reply(
                    card=cards.notice_card("No revealed review question to grade. Try /practice review.")
                )
            if round_.status is not RoundStatus.REVEALED:
                return Reply(card=cards.notice_card("Reveal the answer first, then grade yourself."))
            state = store.review_card(ctx.member, round_.question_id)
            if state is None:
                card, _ = new_card(zlib.crc32(f"{ctx.member.user_id}:{round_.question_id}".encode()), now)
            else:
                card = state.card
            card, due = grade(card, how, now)
            if not store.save_review_card(
                ctx.member, round_.question_id, card=card, due_at=due, now=now, graded_round=round_.id
            ):
                return Reply(card=cards.notice_card("You already graded this one."))
        return Reply(
            card=cards.notice_card(
                f"Graded {how.value}. You will see this question again on {due.strftime('%Y-%m-%d')}.",
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

    def leaderboard(
        self,
        channel: ChannelRef,
        period: LeaderboardPeriod,
        *,
        workspace: bool = False,
        member: MemberRef | None = None,
    ) -> tuple[list[LeaderboardRow], LeaderboardRow | None]:
        with self.uow() as store:
            settings = store.channel(channel, self._defaults(channel))
            since = self.period_start(period, settings.timezone)
            if workspace:
                totals = store.points_by_member(
                    platform=channel.platform, workspace_id=channel.workspace_id, since=since
                )
            else:
                totals = store.points_by_member(channel=channel, since=since)
        ranks = competition_ranks([points for _, points in totals])
        rows = [LeaderboardRow(rank=r, member=m, points=p) for r, (m, p) in zip(ranks, totals, strict=True)]
        own = next((row for row in rows if member is not None and row.member == member), None)
        return rows[:LEADERBOARD_SIZE], own

    def leaderboard_card(self, ctx: CommandContext, period: LeaderboardPeriod, *, workspace: bool):
        rows, own = self.leaderboard(ctx.channel, period, workspace=workspace, member=ctx.member)
        scope = "workspace" if workspace else (f"#{ctx.channel.name}" if ctx.channel.name else "channel")
        chart = None
        if rows and self.config.charts:
            try:
                label = {"week": "this week", "month": "this month", "all": "all time"}[period.value]
                chart = leaderboard_png(rows, f"{scope} · {label}")
            except Exception:  # a chart is a nicety: the text board still goes out
                log.warning("leaderboard chart failed", exc_info=True)
        return cards.leaderboard_card(rows, own, period=period, scope=scope, chart=chart)

    def stats(self, member: MemberRef, channel: ChannelRef | None = None) -> MemberStats:
        """Totals everywhere; streaks in `channel` (streaks are per channel, in its local dates)."""
        with self.uow() as store:
            summary = store.member_summary(member)
            answered = store.answered_questions(member)
            history = store.daily_participation(channel, member) if channel else []
        by_topic: dict[str, list[float]] = {}
        for question_id, coverage in answered:
            question = self.questions.get(question_id)
            for topic in question.topics if question else ():
                by_topic.setdefault(topic, []).append(coverage)
        current, best = streaks(history)
        return MemberStats(
            member=member,
            **summary,
            current_streak=current,
            best_streak=best,
            by_topic={t: sum(v) / len(v) for t, v in by_topic.items()},
        )

    def stats_reply(self, ctx: CommandContext, who: str | None) -> Reply:
        member = ctx.member
        if who:
            with self.uow() as store:
                found = store.find_member(ctx.channel.platform, ctx.channel.workspace_id, who)
            if found is None:
                return Reply(card=cards.notice_card(f"I don't know anyone called {who} here yet."))
            member = found
        return Reply(card=cards.stats_card(self.stats(member, ctx.channel)))

    # --- configure --------------------------------------------------------------------------------------

    def configure(self, ctx: CommandContext, command: ScheduleCmd | ConfigCmd):
        if command.changes_config and not ctx.is_admin:
            return cards.notice_card("Only channel admins can change this channel's settings.")
        changes: dict[str, object] = {}
        match command:
            case ScheduleCmd(action="set"):
                # Setting a schedule also brings back a channel marked inactive (the bot was removed).
                changes = {
                    "schedule_enabled": True,
                    "paused": False,
                    "active": True,
                    "post_time": command.time,
                }
                if command.timezone:
                    changes["timezone"] = command.timezone
                if command.days:
                    changes["days"] = command.days
            case ScheduleCmd(action="reveal"):
                changes = {
                    "reveal_after_minutes": command.reveal_after_minutes,
                    "reveal_at_time": command.reveal_at,
                }
            case ScheduleCmd(action="remind"):
                changes = {"reminder_minutes": command.remind_minutes}
            case ScheduleCmd(action="pause"):
                changes = {"paused": True}
            case ScheduleCmd(action="resume"):
                changes = {"paused": False, "active": True}
            case ScheduleCmd(action="skip"):
                current = self.channel_settings(ctx.channel)
                assert command.date is not None
                changes = {"skip_dates": tuple(sorted({*current.skip_dates, command.date}))}
            case ScheduleCmd(action="preview"):
                settings = self.channel_settings(ctx.channel)
                return cards.preview_card(settings, next_slots(settings, self.clock.now(), count=5))
            case ConfigCmd(action="categories"):
                changes = {"categories": command.values}
            case ConfigCmd(action="difficulty"):
                changes = {"difficulties": command.values}
            case ConfigCmd(action="packs"):
                known = {q.pack for q in self.questions.all()}
                unknown = [p for p in command.values if p not in known]
                if unknown:
                    return cards.usage_card(
                        UsageProblem(f"unknown pack: {', '.join(unknown)}", "config", tuple(sorted(known)))
                    )
                changes = {"packs": command.values}
            case ConfigCmd(action="answers"):
                changes = {"answer_mode": command.values[0]}
        with self.uow() as store:
            settings = (
                store.update_channel(ctx.channel, self._defaults(ctx.channel), **changes)
                if changes
                else store.channel(ctx.channel, self._defaults(ctx.channel))
            )
        if changes:
            for listener in self.schedule_listeners:
                listener()
        return cards.channel_card(settings)

    # --- helpers ----------------------------------------------------------------------------------------

    def chat_for(self, channel: ChannelRef) -> ChatPort:
        try:
            return self.chat[channel.platform.value]
        except KeyError:
            raise LookupError(f"no chat adapter for {channel.platform.value}") from None
