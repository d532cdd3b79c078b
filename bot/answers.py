"""Answers and votes: thread replies, form answers, edits, deletions and peer upvotes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial

from bot import cards
from bot.assessing import Assessing
from bot.domain import (
    AnswerResult,
    ChannelRef,
    IncomingAnswer,
    MemberRef,
    RecordedAnswer,
    Round,
    RoundStatus,
    ThreadRef,
    Visibility,
    VoteResult,
)
from bot.ports import Store

log = logging.getLogger("practicebot.engine")

# How long a reply to a thread not known yet waits while a round of its channel is being posted.
THREAD_WAIT_SECONDS = 1.5
THREAD_WAIT_STEP = 0.05


# Replies that arrive together are stored together: one transaction for all that wait (at most this many), so
# a burst (a channel answering a daily question at once) costs a few commits, not one each.
BATCH_MAX = 200


class _Batches:
    """One writer per process: while a batch's transaction runs, new replies queue for the next one."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.waiting: list[tuple[IncomingAnswer, asyncio.Future[RecordedAnswer]]] = []
        self.writing = False
        self.task: asyncio.Task[None] | None = None

    async def record(self, incoming: IncomingAnswer) -> RecordedAnswer:
        done: asyncio.Future[RecordedAnswer] = asyncio.get_running_loop().create_future()
        self.waiting.append((incoming, done))
        if not self.writing:
            self.writing = True
            self.task = asyncio.create_task(self._write())  # held: the loop keeps only a weak reference
        return await done

    async def _write(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:BATCH_MAX], self.waiting[BATCH_MAX:]
                replies = [incoming for incoming, _ in batch]
                outcomes: list[RecordedAnswer | BaseException]
                try:
                    outcomes = list(await self.answers.tx(partial(self.answers._record_all, replies=replies)))
                except Exception:  # one bad reply must not sink the others: each on its own, then
                    outcomes = []
                    for incoming in replies:
                        try:
                            [alone] = await self.answers.tx(
                                partial(self.answers._record_all, replies=[incoming])
                            )
                            outcomes.append(alone)
                        except Exception as exc:
                            outcomes.append(exc)
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if isinstance(outcome, BaseException):
                        done.set_exception(outcome)
                    else:
                        done.set_result(outcome)
        finally:
            self.writing = False


class Answers(Assessing):
    _batches: _Batches | None = None

    def _record_all(
        self, store: Store, *, replies: Sequence[IncomingAnswer], sent_before_reveal: bool = False
    ) -> list[RecordedAnswer]:
        return [self._record(store, incoming, sent_before_reveal) for incoming in replies]

    async def _record_reply(self, incoming: IncomingAnswer) -> RecordedAnswer:
        if self._batches is None:
            self._batches = _Batches(self)
        return await self._batches.record(incoming)

    async def record_answer(
        self,
        incoming: IncomingAnswer,
        *,
        sent_before_reveal: bool = False,
        form_channel: ChannelRef | None = None,
    ) -> RecordedAnswer:
        """Store one thread reply (or form answer). Safe to call again with the same event id.
        `sent_before_reveal`: the reply was read back from the thread at the reveal, so it was there in time
        even though the round is already being revealed. `form_channel`: where an answer form was sent from,
        when the platform says (it must be the round's channel)."""

        async def once() -> RecordedAnswer:
            if not sent_before_reveal and form_channel is None:
                return await self._record_reply(incoming)  # batched with the replies arriving with it
            return await self.tx(
                lambda store: self._record(store, incoming, sent_before_reveal, form_channel)
            )

        recorded = await once()
        # A reply can reach us before its round's message id is recorded: the daily fan-out records ids in
        # batches, a few tenths of a second after sending. Such a reply waits for it rather than be lost.
        waited = 0.0
        while recorded.result is AnswerResult.THREAD_BEING_POSTED and waited < THREAD_WAIT_SECONDS:
            await asyncio.sleep(THREAD_WAIT_STEP)
            waited += THREAD_WAIT_STEP
            recorded = await once()
        if recorded.result is AnswerResult.THREAD_BEING_POSTED:
            return RecordedAnswer(result=AnswerResult.UNKNOWN_THREAD)
        if recorded.round_id is not None and recorded.result in (
            AnswerResult.RECORDED,
            AnswerResult.UPDATED,
            AnswerResult.LATE,
        ):
            self.pregrade_soon(recorded.round_id, incoming.member)
        return recorded

    async def record_answers(self, replies: Sequence[IncomingAnswer], *, sent_before_reveal: bool) -> None:
        """Several replies read back from a thread, in one transaction."""
        await self.tx(partial(self._record_all, replies=replies, sent_before_reveal=sent_before_reveal))

    def _record(
        self,
        store: Store,
        incoming: IncomingAnswer,
        sent_before_reveal: bool,
        form_channel: ChannelRef | None = None,
    ) -> RecordedAnswer:
        now = self.clock.now()
        text = incoming.text.strip()
        if not text:
            return RecordedAnswer(result=AnswerResult.IGNORED_EMPTY)
        round_ = self._answerable_round(store, incoming, form_channel)
        if round_ is None and incoming.thread is not None:
            if store.rounds_being_posted(incoming.thread.channel):
                # Not stored, and not marked processed: the same event is tried again in a moment.
                return RecordedAnswer(result=AnswerResult.THREAD_BEING_POSTED)
            # Its id may have been recorded between the two reads (each sees what is committed): look again.
            round_ = store.round_by_thread(incoming.thread)
        if round_ is None:
            return RecordedAnswer(result=AnswerResult.UNKNOWN_THREAD)
        if round_.status is RoundStatus.SKIPPED:
            text = "That question was skipped before anyone answered it, so answers to it are not kept."
            return RecordedAnswer(
                result=AnswerResult.UNKNOWN_THREAD, notice=cards.notice_card(text, title="About your answer")
            )
        # The event id is marked processed in the transaction that stores its effect, never before.
        if incoming.event_id and not store.mark_event(incoming.member.platform, incoming.event_id, now):
            return RecordedAnswer(result=AnswerResult.DUPLICATE_EVENT)
        late = round_.status in (RoundStatus.REVEALING, RoundStatus.REVEALED) and not sent_before_reveal
        limit = self.config.answer_max_chars
        truncated = len(text) > limit
        if truncated:
            text = text[:limit]
        saved = store.save_answer_part(
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
            notices.append(f"That message was longer than {limit} characters: its first {limit} were kept.")
        if late:
            notices.append(
                "This question was already revealed: your answer is kept for feedback, without points."
            )
        if late:
            result = AnswerResult.LATE
        else:
            result = AnswerResult.RECORDED if saved.created else AnswerResult.UPDATED
        log.info("answer recorded", extra={"round": round_.id, "result": result.value, "chars": len(text)})
        notice = cards.notice_card(" ".join(notices), title="About your answer") if notices else None
        return RecordedAnswer(
            result=result,
            round_id=round_.id,
            truncated=truncated,
            notice=notice,
            chars=saved.total_chars,
            question_id=round_.question_id,
        )

    @staticmethod
    def _answerable_round(
        store: Store, incoming: IncomingAnswer, form_channel: ChannelRef | None
    ) -> Round | None:
        if incoming.thread is not None:
            return store.round_by_thread(incoming.thread)
        if incoming.round_id is None:
            return None
        round_ = store.round(incoming.round_id)
        # A round id comes from a form the platform relays: it is checked, never trusted. Only members of
        # the round's workspace may answer it, only its asker a private one, and a form that says where it
        # was sent from must come from the round's channel.
        if round_ is None or (round_.channel.platform, round_.channel.workspace_id) != (
            incoming.member.platform,
            incoming.member.workspace_id,
        ):
            return None
        if round_.visibility is Visibility.PRIVATE and round_.requested_by != incoming.member:
            return None
        if form_channel is not None and form_channel.channel_id != round_.channel.channel_id:
            return None
        return round_

    async def withdraw_answer(self, thread: ThreadRef, member: MemberRef | None, message_id: str) -> bool:
        """A deleted reply. Without an author (Discord's MESSAGE_DELETE carries ids only) the answer holding
        that message among the channel's open rounds is found first."""
        now = self.clock.now()

        def work(store: Store) -> bool:
            who = member
            if who is None:
                answer = store.answer_by_message(thread.channel, message_id)
                if answer is None:
                    return False
                who = answer.member
            round_ = store.round_by_thread(thread)
            if round_ is None:
                return False
            return store.withdraw_answer_part(round_.id, who, message_id, now)

        return await self.tx(work)

    async def vote(
        self, channel: ChannelRef, answer_message_id: str, voter: MemberRef, *, add: bool = True
    ) -> VoteResult:
        """A peer upvote (a reaction) on an answer message: one per voter, never on one's own answer.
        Platforms report a reaction by channel and message only, so the answer is looked up among the
        channel's rounds not yet revealed (votes count until the reveal)."""
        now = self.clock.now()

        def work(store: Store) -> VoteResult:
            answer = store.answer_by_message(channel, answer_message_id)
            if answer is None:
                return VoteResult.NOT_AN_ANSWER
            if answer.member == voter:
                return VoteResult.SELF_VOTE
            if add:
                return VoteResult.ADDED if store.add_vote(answer.id, voter, now) else VoteResult.ALREADY
            return VoteResult.REMOVED if store.remove_vote(answer.id, voter) else VoteResult.ALREADY

        return await self.tx(work)
