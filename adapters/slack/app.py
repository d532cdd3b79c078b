"""The Slack app: Bolt listeners that translate, call the engine, render and deliver.

- `/practice ...`: ack at once; the engine's work follows in `BackgroundWork`. Private replies go back
  ephemerally (response_url, else chat.postEphemeral), public ones to the channel.
- Buttons: one listener for every action of the core's table (bot/actions.py); the answer button opens a
  modal, every other action goes to the engine.
- Thread replies (`message` events): recorded *before* Slack gets its 200, in a listener middleware, so a
  crash cannot lose an answer; Slack then redelivers and the event id makes the retry a no-op. Edits update,
  deletions withdraw, bots and the bot itself are ignored.
- Reactions (:+1: by default) on an answer are votes.
Every handler is wrapped: an unexpected error logs one line and the person gets a short apology.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, strings, translate
from adapters.slack.admins import AdminCheck
from adapters.slack.chat import ChannelUnavailable, SlackChat
from adapters.slack.render import SlackMessage, render_card
from adapters.slack.translate import CommandRequest
from adapters.slack.work import BackgroundWork
from bot.actions import ACTIONS, ActionId, parse_action
from bot.commands import needs_rights, parse
from bot.domain import AnswerResult, ChannelRef, MemberRef, Reply, Visibility
from bot.engine import Engine
from bot.events import (
    ActionClicked,
    Actor,
    AnswerDeleted,
    AnswerPosted,
    CommandContext,
    CommandIssued,
    FormSubmitted,
)

log = logging.getLogger("practicebot.slack")

COMMAND = "/practice"
RESPONSE_URL_USES = 5  # Slack accepts five posts per response_url
_NOTICE_KEY = "practicebot_notice"


class PrivateReplies:
    """Sends ephemeral messages to one person: through the response_url while it lasts, then the Web API."""

    def __init__(
        self, chat: SlackChat, channel: ChannelRef | None, member: MemberRef, response_url: str | None
    ):
        self.chat = chat
        self.channel = channel
        self.member = member
        self.response_url = response_url
        self.uses = 0

    async def send(self, message: SlackMessage) -> None:
        if self.response_url is not None and self.uses < RESPONSE_URL_USES:
            self.uses += 1
            try:
                status = await self.chat.respond(self.response_url, message)
                if status == 200:
                    return
                log.warning("response_url refused", extra={"status": status})
            except Exception as exc:  # expired or unreachable: fall back to the Web API
                log.warning("response_url failed", extra={"error": type(exc).__name__})
        if self.channel is None:
            log.warning("private reply dropped: no channel", extra={"user": self.member.user_id})
            return
        await self.chat.post_ephemeral(self.channel.channel_id, self.member.user_id, message)


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
        for action in ACTIONS:
            bolt.action(action.value)(self.on_action)
        bolt.view(render.ANSWER_MODAL_ID)(self.on_answer_submitted)
        bolt.event("message", middleware=[self.record_message])(self.after_message)
        bolt.event("reaction_added", middleware=[self.record_vote])(self.after_vote)
        bolt.event("reaction_removed", middleware=[self.record_vote])(self.after_vote)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("app_uninstalled")(self.on_workspace_gone)
        bolt.event("tokens_revoked")(self.on_workspace_gone)
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

    async def on_command(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        request = translate.slash_command(body)
        if request is None:
            log.warning("slash command without channel or user")
            return
        self.work.start(self.run_command, request)

    async def on_mention(self, body: dict[str, Any]) -> None:
        request = translate.mention_command(body)
        if request is not None:
            self.work.start(self.run_command, request)

    async def run_command(self, request: CommandRequest) -> None:
        private = PrivateReplies(self.chat, request.channel, request.member, request.response_url)
        try:
            ctx = CommandContext(
                channel=request.channel,
                member=request.member,
                is_admin=await self._is_admin_for(request),
                question_visibility=Visibility.PRIVATE,
            )
            replies = await self.engine.dispatch(CommandIssued(ctx, request.text))
            await self.deliver(replies, private)
        except Exception as exc:
            await self.apologize("command", exc, private)

    async def _is_admin_for(self, request: CommandRequest) -> bool:
        """Ask Slack only when the answer matters: settings changes, reveals, contest decisions."""
        if needs_rights(parse(request.text)):
            return await self.admins.is_admin(request.member)
        return False

    # --- buttons and the modal ----------------------------------------------------------------------------

    async def on_action(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        press = translate.block_action(body)
        action = parse_action(press.action_id) if press is not None else None
        if press is None or action is None or press.round_id is None:
            log.warning("button without a known action or round")
            return
        if ACTIONS[action].opens_form:
            if press.trigger_id:
                # Not queued behind other work: the trigger id expires three seconds after the click.
                self.work.start(self.open_answer_modal, press, urgent=True)
            return
        self.work.start(self.run_action, action, press)

    async def run_action(self, action: ActionId, press: translate.ButtonPress) -> None:
        assert press.round_id is not None
        private = PrivateReplies(self.chat, press.channel, press.member, press.response_url)
        try:
            is_admin = await self.admins.is_admin(press.member) if ACTIONS[action].needs_rights else False
            event = ActionClicked(action, press.round_id, Actor(press.member, is_admin), press.channel)
            await self.deliver(await self.engine.dispatch(event), private)
        except Exception as exc:
            await self.apologize(action.value, exc, private)

    async def open_answer_modal(self, press: translate.ButtonPress) -> None:
        assert press.round_id is not None and press.trigger_id is not None
        try:
            channel_id = press.channel.channel_id if press.channel else ""
            await self.client.views_open(
                trigger_id=press.trigger_id, view=render.answer_modal(press.round_id, channel_id)
            )
        except Exception as exc:
            await self.apologize(
                "answer_privately",
                exc,
                PrivateReplies(self.chat, press.channel, press.member, press.response_url),
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
            recorded = await self.engine.dispatch(FormSubmitted(submission.answer, submission.channel))
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
        message = template.format(chars=recorded.chars)
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
            if isinstance(item, AnswerPosted):
                recorded = await self.engine.dispatch(item)
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
            elif isinstance(item, AnswerDeleted):
                withdrawn = await self.engine.dispatch(item)
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
                result = await self.engine.dispatch(vote)
                log.info("slack vote", extra={"result": result.value, "add": vote.added})
        except Exception as exc:
            log.error("slack reaction event failed", extra={"error": type(exc).__name__})
            return BoltResponse(status=500, body="")
        return await next()

    async def after_vote(self) -> None:
        return None

    async def on_workspace_gone(self, body: dict[str, Any]) -> None:
        """Stored before Slack gets its 200 (the listener runs before the ack): nothing is posted into a
        workspace that removed the app. A failure answers 500, so Slack delivers the event again."""
        gone = translate.workspace_gone(body)
        if gone is not None:
            await self.engine.dispatch(gone)
            log.info("slack workspace removed the app", extra={"team": gone.workspace_id})

    async def on_error(self, error: Exception) -> None:
        detail = error.response.get("error") if isinstance(error, SlackApiError) else None
        log.error("slack listener error", extra={"error": type(error).__name__, "detail": detail})
