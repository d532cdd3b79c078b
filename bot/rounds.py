"""Rounds: asking a question, posting a private one to the channel, and the reveal with its scoring."""

from __future__ import annotations

import datetime as dt
import logging

from bot import cards
from bot.answers import Answers
from bot.commands import did_you_mean
from bot.domain import (
    Card,
    ChannelRef,
    MemberRef,
    Reply,
    Round,
    RoundKind,
    RoundStatus,
    StoredAnswer,
    ThreadRef,
    Visibility,
)
from bot.events import Actor, CommandContext
from bot.grading import Assessment, answer_hash
from bot.ports import ChatPort, Store
from bot.questions import Category, Difficulty, Question
from bot.review import first_card
from bot.scoring import award_lines, streaks
from bot.selection import choose, filter_pool

log = logging.getLogger("practicebot.engine")

Feedback = list[tuple[StoredAnswer, Assessment, int]]
Grades = dict[int, tuple[str, Assessment]]  # answer id -> (hash of the text graded, its assessment)

# A reveal that fails is retried after 1, 2, 4 ... minutes, at most an hour apart; from the third failure on
# it is logged as an error (and `practicebot schedule list` shows it all along).
REVEAL_RETRY_FIRST = dt.timedelta(minutes=1)
REVEAL_RETRY_MAX = dt.timedelta(hours=1)
REVEAL_FAILURES_REPORTED = 3


class Rounds(Answers):
    async def ask(
        self,
        channel: ChannelRef,
        *,
        requested_by: MemberRef | None = None,
        category: Category | None = None,
        difficulty: Difficulty | None = None,
        visibility: Visibility = Visibility.PUBLIC,
        question_id: str | None = None,
    ) -> list[Reply]:
        now = self.clock.now()
        defaults = self.defaults(channel)
        wanted = self.questions.get(question_id) if question_id else None
        if question_id and wanted is None:
            hint = did_you_mean(question_id, [q.id for q in self.questions.all()])
            text = f"There is no question '{question_id}'{hint}. `practicebot content list` shows every id."
            return [Reply(card=cards.notice_card(text))]

        def work(store: Store) -> tuple[Round, Question] | None:
            settings = store.register_channel(channel, defaults)
            pool = filter_pool(
                self.questions.all(),
                categories=[category.value] if category else settings.categories,
                difficulties=[difficulty.value] if difficulty else settings.difficulties,
                packs=settings.packs,
            )
            asked, rounds_so_far = store.question_history(channel)
            seed = f"{channel.platform}:{channel.channel_id}:{rounds_so_far}"
            question = wanted or choose(pool, asked_newest_first=asked, seed=seed)
            if question is None:
                return None
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
            return round_, question

        created = await self.tx(work)
        if created is None:
            text = "No question matches those filters. /practice topics shows what is available."
            return [Reply(card=cards.notice_card(text))]
        round_, question = created
        private = visibility is Visibility.PRIVATE
        card = cards.question_card(round_, question, private=private)
        if private:
            return [Reply(card=card)]
        older = await self.open_round(channel)  # still open: its answers stay with it, say so
        message_id = await self.chat_for(channel).post_round(channel, card)
        await self.record_posted(round_.id, message_id)
        log.info(
            "round posted", extra={"round": round_.id, "question": question.id, "channel": channel.channel_id}
        )
        if older is not None and older.id != round_.id:
            return [Reply(card=cards.still_open_card(older, round_))]
        return []

    async def skip(self, ctx: CommandContext) -> list[Reply]:
        """`/practice skip`: the caller's newest open question that nobody answered is closed and another
        one takes its place, seen the same way (privately, or as a round in the channel)."""

        def work(store: Store) -> Round | str:
            round_ = store.latest_round(
                ctx.channel, statuses=[RoundStatus.OPEN], requested_by=ctx.member, kinds=[RoundKind.ON_DEMAND]
            )
            if round_ is None:
                return "You have no open question here to skip. /practice question asks one."
            if not store.skip_round(round_.id):
                return "Someone already answered that question, so it stays: /practice reveal closes it."
            return round_

        skipped = await self.tx(work)
        if isinstance(skipped, str):
            return [Reply(card=cards.notice_card(skipped))]
        log.info("round skipped", extra={"round": skipped.id, "question": skipped.question_id})
        if skipped.thread is not None:
            note = f"Skipped by {ctx.member.label}: a new question follows in the channel."
            try:
                await self.chat_for(skipped.channel).post_in_thread(skipped.thread, cards.notice_card(note))
            except Exception:  # the new question matters more than the note on the old one
                log.warning("could not mark the skipped round's thread", exc_info=True)
        replies = await self.ask(ctx.channel, requested_by=ctx.member, visibility=skipped.visibility)
        text = f"Skipped round #{skipped.id} ({skipped.question_id})."
        return [Reply(card=cards.notice_card(text)), *replies]

    async def record_posted(self, round_id: int, message_id: str) -> None:
        now = self.clock.now()
        await self.tx(lambda store: store.mark_posted(round_id, message_id, now))

    async def publish_round(self, round_id: int, *, by: Actor) -> list[Reply]:
        """'Post to channel' on a private question: it becomes a public round with a thread."""
        round_ = await self.tx(lambda store: store.round(round_id))
        if round_ is None or round_.channel.platform != by.member.platform:
            return [Reply(card=cards.notice_card("That question no longer exists."))]
        if round_.kind is RoundKind.REVIEW:
            return [Reply(card=cards.notice_card("A review question stays private."))]
        if round_.visibility is Visibility.PUBLIC or round_.status is not RoundStatus.OPEN:
            return [Reply(card=cards.notice_card("That question is already posted or revealed."))]
        if round_.requested_by != by.member and not by.is_admin:
            return [Reply(card=cards.notice_card("Only whoever asked for this question can post it."))]
        question = self.questions.get(round_.question_id)
        if question is None:
            return [Reply(card=cards.notice_card("This question is no longer in the library."))]
        if not await self.tx(lambda store: store.claim_publish(round_id)):
            return [Reply(card=cards.notice_card("That question is already posted."))]
        public = round_.model_copy(update={"visibility": Visibility.PUBLIC})
        card = cards.question_card(public, question, private=False)
        try:
            message_id = await self.chat_for(round_.channel).post_round(round_.channel, card)
        except Exception:
            # Nothing was posted: give the round back to its asker so the button works again.
            await self.tx(lambda store: store.unpublish(round_id))
            raise
        await self.record_posted(round_id, message_id)
        return [Reply(card=cards.notice_card("Posted to the channel: answers go in its thread."))]

    async def open_round(self, channel: ChannelRef) -> Round | None:
        """The channel's newest public round still taking answers."""
        return await self.tx(
            lambda store: store.latest_round(
                channel, statuses=[RoundStatus.OPEN], visibility=Visibility.PUBLIC
            )
        )

    async def reveal_latest(self, ctx: CommandContext, round_id: int | None = None) -> list[Reply]:
        """`/practice reveal [ROUND]`: the round named, or the newest open one (the caller's private
        question first, when newer)."""
        if round_id is not None:
            named = await self.tx(lambda store: store.round(round_id))
            if named is None or named.channel.key != ctx.channel.key:
                text = f"There is no round #{round_id} in this channel."
                return [Reply(card=cards.notice_card(text))]
            return await self.reveal(round_id, by=Actor(ctx.member, ctx.is_admin))

        def work(store: Store) -> Round | None:
            public = store.latest_round(
                ctx.channel, statuses=[RoundStatus.OPEN], visibility=Visibility.PUBLIC
            )
            private = store.latest_round(
                ctx.channel,
                statuses=[RoundStatus.OPEN],
                visibility=Visibility.PRIVATE,
                requested_by=ctx.member,
            )
            if private is not None and (public is None or private.created_at >= public.created_at):
                return private
            return public

        round_ = await self.tx(work)
        if round_ is None:
            text = "There is no open question in this channel. Start one with /practice question."
            return [Reply(card=cards.notice_card(text))]
        return await self.reveal(round_.id, by=Actor(ctx.member, ctx.is_admin))

    async def reveal(
        self, round_id: int, *, by: Actor | None, stale_before: dt.datetime | None = None
    ) -> list[Reply]:
        """Reveal a round once: claim it, read the thread back, score, post. `by=None` is the scheduler,
        which also passes `stale_before` to take over reveals a crashed process claimed but never finished."""
        now = self.clock.now()

        def claim(store: Store) -> tuple[Round | None, str | None]:
            round_ = store.round(round_id)
            if round_ is None:
                return None, "That question no longer exists."
            if by is not None and not by.is_admin and round_.requested_by != by.member:
                return None, "Only whoever asked this question or a channel admin can reveal it early."
            if not store.claim_reveal(round_id, now, stale_before):
                return None, "This question was already revealed."
            return round_, None

        round_, refusal = await self.tx(claim)
        if round_ is None:
            return [Reply(card=cards.notice_card(refusal or ""))]
        retaking = round_.status is RoundStatus.REVEALING
        question = self.questions.get(round_.question_id)
        if question is None:
            # A pack was removed since the round started: close the round rather than retry forever.
            log.error("question missing", extra={"round": round_id, "question": round_.question_id})
            await self._mark_revealed(round_id)
            return [Reply(card=cards.notice_card("This question is no longer in the library."))]
        try:
            if round_.thread is not None:
                await self._catch_up_thread(round_.thread)
            # Feedback and points first (idempotent: the ledger refuses a second award), then the post, then
            # the status. A crash in between leaves the round 'revealing' for a retry, never scored twice.
            answers = await self.tx(lambda store: store.answers(round_id))
            graded = await self.grade_all(question, answers)
            grades = {a.id: (answer_hash(a.text), graded[a.id]) for a in answers}
            feedback = await self.tx(lambda store: self._score(store, round_, question, grades))
            card = cards.reveal_card(round_, question, [(a, c) for a, c, _ in feedback])
            if round_.thread is None:  # a private round: the reveal goes to whoever asked
                await self._mark_revealed(round_id)
                own = [cards.feedback_card(question, a, c, pts) for a, c, pts in feedback]
                return [Reply(card=card)] + [Reply(card=c) for c in own]
            port = self.chat_for(round_.channel)
            if not (retaking and await self.already_posted(port, round_.channel, card, round_.claimed_at)):
                await port.post_in_thread(round_.thread, card)
        except Exception as exc:
            await self._release_reveal(round_, exc)
            raise
        log.info("round revealed", extra={"round": round_id, "answers": len(feedback)})
        await self._mark_revealed(round_id)
        for answer, coverage, awarded in feedback:
            await port.send_private(
                round_.channel, answer.member, cards.feedback_card(question, answer, coverage, awarded)
            )
        return []

    def _score(self, store: Store, round_: Round, question: Question, grades: Grades) -> Feedback:
        """Award points once for the graded answers, queue missed questions for review (one transaction).
        An answer that changed since it was graded (or arrived since) is graded here by the default grader."""
        now = self.clock.now()
        # Points only in channel rounds: a private or review question is practice, not a way to farm points.
        scored = round_.visibility is Visibility.PUBLIC
        rules = self.config.scoring
        feedback: Feedback = []
        votes = store.vote_counts(round_.id)
        for answer in store.answers(round_.id):
            graded_hash, coverage = grades.get(answer.id, ("", None))
            if coverage is None or graded_hash != answer_hash(answer.text):
                coverage = self.fallback_grader.grade_now(question, answer.text)
                if self.grader is not self.fallback_grader:
                    coverage = coverage.model_copy(
                        update={"fallback": "the answer changed during the reveal"}
                    )
            store.save_feedback(answer.id, coverage)
            awarded = 0
            if scored:
                lines = award_lines(coverage, late=answer.late, votes=votes.get(answer.id, 0), rules=rules)
                if round_.kind is RoundKind.DAILY and not answer.late:
                    current, _best = streaks(store.daily_participation(round_.channel, answer.member))
                    if current in rules.streak_milestones:
                        lines.append((f"streak-{current}", rules.streak_bonus))
                for reason, points in lines:
                    if store.award(round_, answer.member, reason, points, now):
                        awarded += points
            if coverage.score < 1 and round_.kind is not RoundKind.REVIEW:  # missed or only partly
                enqueue_review(store, answer.member, question.id, now, reason="missed")
            feedback.append((answer, coverage, awarded))
        return feedback

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
            found: str | None = await finder(channel, card, since)
            return found
        except Exception:
            log.warning("could not check for an earlier post", exc_info=True)
            return None

    async def _release_reveal(self, round_: Round, exc: Exception) -> None:
        """Nothing was posted: give the claim back, to be tried again after a backoff that doubles with
        each failure (1 minute up to an hour). A round that keeps failing is logged as an error and listed
        by `practicebot schedule list`, never stuck in silence."""
        failures = round_.reveal_failures + 1
        retry_at = self.clock.now() + min(REVEAL_RETRY_FIRST * 2 ** (failures - 1), REVEAL_RETRY_MAX)
        error = type(exc).__name__
        await self.tx(lambda store: store.release_reveal(round_.id, retry_at, error))
        level = logging.ERROR if failures >= REVEAL_FAILURES_REPORTED else logging.WARNING
        log.log(
            level,
            "reveal failed; retrying later",
            extra={
                "round": round_.id,
                "failures": failures,
                "error": error,
                "retry_at": retry_at.isoformat(),
            },
        )

    async def _mark_revealed(self, round_id: int) -> None:
        now = self.clock.now()
        await self.tx(lambda store: store.mark_revealed(round_id, now))

    async def _catch_up_thread(self, thread: ThreadRef) -> None:
        """Record replies the bot missed (it was down, or an event was lost) before scoring."""
        try:
            replies = await self.chat_for(thread.channel).fetch_replies(thread)
        except Exception:  # reading back is best effort; the stored answers still count
            log.warning("could not read thread back", exc_info=True)
            return

        def known_members(store: Store) -> set[MemberRef]:
            round_ = store.round_by_thread(thread)
            return {a.member for a in store.answers(round_.id)} if round_ else set()

        known = await self.tx(known_members)
        # With a message id, recording again is harmless (the same message updates its own part), so a
        # missed second message of a known member is caught too; without one, only unknown members.
        missed = [
            reply.model_copy(update={"event_id": None})
            for reply in replies
            if reply.message_id is not None or reply.member not in known
        ]
        if missed:
            await self.record_answers(missed, sent_before_reveal=True)


def enqueue_review(
    store: Store, member: MemberRef, question_id: str, now: dt.datetime, *, reason: str
) -> None:
    """Put a question in the member's review queue (due tomorrow) unless it is there already."""
    if store.review_card(member, question_id) is None:
        card = first_card(member.user_id, question_id, now)
        store.save_review_card(
            member, question_id, card=card, due_at=now + dt.timedelta(days=1), now=now, reason=reason
        )
