"""The Slack app: Bolt listeners that translate, call the engine, render and deliver.

- `/practice ...`: ack at once; the engine's work follows in `BackgroundWork`. Private replies go back
  ephemerally (response_url, else chat.postEphemeral), public ones to the channel.
- Buttons on a private question: Post to channel, Answer privately (a modal), Reveal.
- Thread replies (`message` events): recorded *before* Slack gets its 200, in a listener middleware, so a
  crash cannot lose an answer; Slack then redelivers and the event id makes the retry a no-op. Edits update,
  deletions withdraw, bots and the bot itself are ignored.
- Reactions (:+1: by default) on an answer are votes.
Every handler is wrapped: an unexpected error logs one line and the person gets a short apology.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, strings, translate
from adapters.slack.admins import AdminCheck
from adapters.slack.chat import ChannelUnavailable, SlackChat
from adapters.slack.render import SlackMessage, render_card
from adapters.slack.translate import CommandRequest, ReplyDeleted, ReplyPosted
from bot.commands import ConfigCmd, RevealCmd, ScheduleCmd, parse
from bot.domain import AnswerResult, ChannelRef, MemberRef, Reply, Visibility
from bot.engine import CommandContext, Engine

log = logging.getLogger("practicebot.slack")

COMMAND = "/practice"
RESPONSE_URL_USES = 5  # Slack accepts five posts per response_url
WORK_CONCURRENCY = 4  # commands and clicks worked on at once, after their acks
# Work after an ack starts once the HTTP endpoint is answering nothing and has had no request come in or go
# out for ACK_LULL seconds, or after ACK_LULL_MAX_WAIT at the latest, so steady traffic cannot hold it back.
ACK_LULL = 0.05
ACK_LULL_MAX_WAIT = 1.0
_NOTICE_KEY = "practicebot_notice"

Respond = Callable[..., Awaitable[Any]]


class PrivateReplies:
    """Sends ephemeral messages to one person: through the response_url while it lasts, then the Web API."""

    def __init__(
        self, chat: SlackChat, channel: ChannelRef | None, member: MemberRef, respond: Respond | None
    ):
        self.chat = chat
        self.channel = channel
        self.member = member
        self.respond = respond
        self.uses = 0

    async def send(self, message: SlackMessage) -> None:
        if self.respond is not None and self.uses < RESPONSE_URL_USES:
            self.uses += 1
            try:
                answer = await self.respond(
                    response_type="ephemeral", replace_original=False, **message.as_kwargs()
                )
                if getattr(answer, "status_code", 200) == 200:
                    return
                log.warning("response_url refused", extra={"status": getattr(answer, "status_code", None)})
            except Exception as exc:  # expired or unreachable: fall back to the Web API
                log.warning("response_url failed", extra={"error": type(exc).__name__})
        if self.channel is None:
            log.warning("private reply dropped: no channel", extra={"user": self.member.user_id})
            return
        await self.chat.post_ephemeral(self.channel.channel_id, self.member.user_id, message)


class BackgroundWork:
    """The work that follows an ack. Listeners ack, hand the rest over here and return, so Bolt answers
    Slack at once; the work then runs a few jobs at a time. The engine's calls are synchronous and block the
    event loop while they run, so a job starts only in a lull: when the HTTP server (which reports each
    request through `incoming()`) is answering nothing and has been quiet for `lull` seconds, or after
    `max_wait`. A burst of commands is thus acked first, not queued behind each other's database work.
    Without an HTTP server (Socket Mode) there is no lull to wait for."""

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


class SlackHandlers:
    def __init__(
        self,
        engine: Engine,
        chat: SlackChat,
        client: AsyncWebClient,
        admins: AdminCheck,
        *,
        vote_reactions: Iterable[str] = translate.DEFAULT_VOTE_REACTIONS,
        work: BackgroundWork | None = None,
    ) -> None:
        self.engine = engine
        self.chat = chat
        self.client = client
        self.admins = admins
        self.vote_reactions = frozenset(vote_reactions)
        self.work = work or BackgroundWork()

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self.on_command)
        bolt.action("post_to_channel")(self.on_post_to_channel)
        bolt.action("answer_privately")(self.on_answer_privately)
        bolt.action("reveal")(self.on_reveal)
        bolt.view(render.ANSWER_MODAL_ID)(self.on_answer_submitted)
        bolt.event("message", middleware=[self.record_message])(self.after_message)
        bolt.event("reaction_added", middleware=[self.record_vote])(self.after_vote)
        bolt.event("reaction_removed", middleware=[self.record_vote])(self.after_vote)
        bolt.event("app_mention")(self.on_mention)
        bolt.error(self.on_error)

    # --- delivery -----------------------------------------------------------------------------------------

    async def deliver(self, replies: Sequence[Reply], private: PrivateReplies) -> None:
        for reply in replies:
            for message in render_card(reply.card):
                if reply.visibility is Visibility.PUBLIC and private.channel is not None:
                    await self.chat.post_message(private.channel.channel_id, message)
                else:
                    await private.send(message)

    async def apologize(self, where: str, exc: Exception, private: PrivateReplies) -> None:
        if isinstance(exc, ChannelUnavailable):
            text = strings.NOT_IN_CHANNEL
        else:
            log.error("slack handler failed", extra={"handler": where, "error": type(exc).__name__})
            log.debug("slack handler traceback", exc_info=exc)
            text = strings.APOLOGY
        try:
            await private.send(SlackMessage(text=text, blocks=[]))
        except Exception as again:
            log.warning("apology not delivered", extra={"handler": where, "error": type(again).__name__})

    # --- commands -----------------------------------------------------------------------------------------

    async def on_command(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        request = translate.slash_command(body)
        if request is None:
            log.warning("slash command without channel or user")
            return
        self.work.start(self.run_command, request, respond)

    async def on_mention(self, body: dict[str, Any]) -> None:
        request = translate.mention_command(body)
        if request is not None:
            self.work.start(self.run_command, request, None)

    async def run_command(self, request: CommandRequest, respond: Respond | None) -> None:
        private = PrivateReplies(self.chat, request.channel, request.member, respond)
        try:
            ctx = CommandContext(
                channel=request.channel,
                member=request.member,
                is_admin=await self._is_admin_for(request),
                question_visibility=Visibility.PRIVATE,
            )
            replies = await self.engine.handle_command(ctx, request.text)
            await self.deliver(replies, private)
        except Exception as exc:
            await self.apologize("command", exc, private)

    async def _is_admin_for(self, request: CommandRequest) -> bool:
        """Ask Slack only when the answer matters: settings changes and reveals."""
        command = parse(request.text)
        if isinstance(command, RevealCmd) or (
            isinstance(command, ScheduleCmd | ConfigCmd) and command.changes_config
        ):
            return await self.admins.is_admin(request.member)
        return False

    # --- buttons and the modal ----------------------------------------------------------------------------

    async def on_post_to_channel(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        press = translate.block_action(body)
        if press is not None and press.round_id is not None:
            self.work.start(self.post_to_channel, press, respond)

    async def post_to_channel(self, press: translate.ButtonPress, respond: Respond) -> None:
        assert press.round_id is not None
        private = PrivateReplies(self.chat, press.channel, press.member, respond)
        try:
            is_admin = await self.admins.is_admin(press.member)
            replies = await self.engine.publish_round(press.round_id, by=press.member, is_admin=is_admin)
            await self.deliver(replies, private)
        except Exception as exc:
            await self.apologize("post_to_channel", exc, private)

    async def on_reveal(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        press = translate.block_action(body)
        if press is not None and press.round_id is not None:
            self.work.start(self.reveal, press, respond)

    async def reveal(self, press: translate.ButtonPress, respond: Respond) -> None:
        assert press.round_id is not None
        private = PrivateReplies(self.chat, press.channel, press.member, respond)
        try:
            is_admin = await self.admins.is_admin(press.member)
            replies = await self.engine.reveal(press.round_id, by=press.member, is_admin=is_admin)
            await self.deliver(replies, private)
        except Exception as exc:
            await self.apologize("reveal", exc, private)

    async def on_answer_privately(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        press = translate.block_action(body)
        if press is not None and press.round_id is not None and press.trigger_id:
            # Not queued behind other work: the trigger id expires three seconds after the click.
            self.work.start(self.open_answer_modal, press, respond, urgent=True)

    async def open_answer_modal(self, press: translate.ButtonPress, respond: Respond) -> None:
        assert press.round_id is not None and press.trigger_id is not None
        try:
            channel_id = press.channel.channel_id if press.channel else ""
            await self.client.views_open(
                trigger_id=press.trigger_id, view=render.answer_modal(press.round_id, channel_id)
            )
        except Exception as exc:
            await self.apologize(
                "answer_privately", exc, PrivateReplies(self.chat, press.channel, press.member, respond)
            )

    async def on_answer_submitted(self, ack: Any, body: dict[str, Any]) -> None:
        """The modal's answer is stored before the ack, which then tells the person how it went."""
        submission = translate.view_submission(
            body, block_id=render.ANSWER_BLOCK_ID, input_id=render.ANSWER_INPUT_ID
        )
        if submission is None:
            await ack(response_action="errors", errors={render.ANSWER_BLOCK_ID: strings.MODAL_UNKNOWN_ROUND})
            return
        try:
            recorded = self.engine.record_answer(submission.answer)
        except Exception as exc:
            log.error("modal answer failed", extra={"error": type(exc).__name__})
            await ack(response_action="errors", errors={render.ANSWER_BLOCK_ID: strings.APOLOGY})
            return
        chars = len(submission.answer.text.strip())
        log.info("slack modal answer", extra={"result": recorded.result.value, "chars": chars})
        if recorded.result is AnswerResult.UNKNOWN_THREAD:
            await ack(response_action="errors", errors={render.ANSWER_BLOCK_ID: strings.MODAL_UNKNOWN_ROUND})
            return
        if recorded.result is AnswerResult.IGNORED_EMPTY:
            await ack(response_action="errors", errors={render.ANSWER_BLOCK_ID: strings.MODAL_EMPTY})
            return
        template = strings.MODAL_SAVED_LATE if recorded.result is AnswerResult.LATE else strings.MODAL_SAVED
        message = template.format(chars=min(chars, self.engine.config.answer_max_chars))
        if recorded.truncated and recorded.notice is not None:
            message += "\n\n" + "\n".join(s.body for s in recorded.notice.sections if s.body)
        await ack(response_action="update", view=render.answer_saved_view(message))

    # --- events: answers and votes ------------------------------------------------------------------------

    async def record_message(
        self, body: dict[str, Any], context: Any, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Listener middleware: runs before Bolt acks the event, so the answer is stored first."""
        try:
            item = translate.message_event(body, bot_user_id=context.get("bot_user_id"))
            if isinstance(item, ReplyPosted):
                recorded = self.engine.record_answer(item.answer)
                log.info(
                    "slack answer",
                    extra={
                        "result": recorded.result.value,
                        "chars": len(item.answer.text),
                        "edited": item.edited,
                    },
                )
                if recorded.notice is not None:
                    context[_NOTICE_KEY] = (item.answer.thread, item.answer.member, recorded.notice)
            elif isinstance(item, ReplyDeleted):
                withdrawn = self.engine.withdraw_answer(item.thread, item.member, item.message_id)
                log.info("slack answer deleted", extra={"withdrawn": withdrawn})
        except Exception as exc:  # not stored: answer 500 so that Slack delivers it again
            log.error("slack message event failed", extra={"error": type(exc).__name__})
            return BoltResponse(status=500, body="")
        return await next()

    async def after_message(self, context: Any) -> None:
        notice = context.get(_NOTICE_KEY)
        if notice is not None:
            thread, member, card = notice
            self.work.start(self.chat.send_private, thread.channel, member, card)

    async def record_vote(self, body: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
        try:
            vote = translate.reaction_event(body, reactions=self.vote_reactions)
            if vote is not None:
                result = self.engine.vote(vote.channel, vote.message_id, vote.voter, add=vote.add)
                log.info("slack vote", extra={"result": result.value, "add": vote.add})
        except Exception as exc:
            log.error("slack reaction event failed", extra={"error": type(exc).__name__})
            return BoltResponse(status=500, body="")
        return await next()

    async def after_vote(self) -> None:
        return None

    async def on_error(self, error: Exception) -> None:
        detail = error.response.get("error") if isinstance(error, SlackApiError) else None
        log.error("slack listener error", extra={"error": type(error).__name__, "detail": detail})
