"""ChatPort for Slack: delivery through the Web API (`AsyncWebClient`), paced per channel.

Slack allows about one message per second per channel (short bursts pass) and answers 429 with
Retry-After beyond that. Every post here waits for its channel's next free slot (an asyncio lock per
channel plus the next allowed time; no polling), and the client retries a 429 after Retry-After.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import translate
from adapters.slack.render import SlackMessage, is_card_message, render_card
from bot.domain import Card, ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef
from bot.ports import ChannelUnreachable
from bot.settings import Settings

log = logging.getLogger("practicebot.slack")

MESSAGES_PER_SECOND_PER_CHANNEL = 1.0
RATE_LIMIT_RETRIES = 2
REPLIES_PAGE_SIZE = 200
# The bot cannot reach the channel (removed, archived, never invited): retrying will not help.
UNREACHABLE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})
# ...and of those, the ones after which the channel is marked inactive, so the scheduler stops posting there
# instead of failing every day. `/practice schedule resume` (or `set`) makes it active again after an /invite.
GONE_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


class ChannelUnavailable(ChannelUnreachable):
    """Slack refused a post because the bot cannot reach the channel."""

    def __init__(self, channel_id: str, reason: str) -> None:
        super().__init__(f"channel {channel_id} unavailable: {reason}", gone=reason in GONE_ERRORS)
        self.channel_id = channel_id
        self.reason = reason


def make_client(settings: Settings) -> AsyncWebClient:
    """The Web API client every Slack call goes through: aimed at PRACTICEBOT_SLACK_API_URL, with the
    SDK's retry handlers for connection errors (default) and 429 Retry-After (added here)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    # slack_sdk formats a debug line with the whole request body for every call unless its logger's *own*
    # level is above DEBUG (it tests `logger.level`, which is NOTSET even when a parent drops debug lines).
    sdk_logger = logging.getLogger("slack_sdk.web.async_base_client")
    sdk_logger.setLevel(max(sdk_logger.getEffectiveLevel(), logging.INFO))
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, logger=sdk_logger)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


class ChannelPacer:
    """At most one message per `interval` seconds per channel; waiting callers queue on the channel's lock."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_at: dict[str, float] = {}

    async def wait_turn(self, channel_id: str) -> None:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            delay = self._next_at.get(channel_id, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next_at[channel_id] = loop.time() + self.interval


class SlackChat:
    """What the engine (and `practicebot tick`) uses to deliver to Slack; works without the Bolt app."""

    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient, *, min_interval: float = 1 / MESSAGES_PER_SECOND_PER_CHANNEL):
        self.client = client
        self.pacer = ChannelPacer(min_interval)
        self._bot_user_id: str | None = None
        self._bot_id: str | None = None
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def open_session(self) -> None:
        """Give the Web API client one HTTP session for all its calls, on the running loop.

        Without one, slack_sdk opens a new aiohttp session, so a new TCP and TLS connection to Slack, for
        every call: a daily fan-out to thousands of channels would pay a handshake per post. Idempotent;
        a session made on another (finished) event loop is replaced. A session the caller gave the client
        is left alone."""
        loop = asyncio.get_running_loop()
        current = self.client.session
        if current is not None and current is not self._session and not current.closed:
            return
        if self._session is not None and not self._session.closed and self._session_loop is loop:
            return
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.client.timeout),
            trust_env=self.client.trust_env_in_session,
        )
        self._session_loop = loop
        self.client.session = self._session

    async def close(self) -> None:
        """Close the session `open_session` made (at stop)."""
        if self._session is not None:
            if self.client.session is self._session:
                self.client.session = None
            await self._session.close()
            self._session = None

    async def respond(self, response_url: str, message: SlackMessage) -> int:
        """An ephemeral reply through a command's or click's response_url, on the shared HTTP session (Bolt's
        own `respond` opens a new session, so a new connection, for every reply)."""
        self.open_session()
        webhook = AsyncWebhookClient(
            url=response_url, session=self.client.session, timeout=self.client.timeout
        )
        answer = await webhook.send(response_type="ephemeral", replace_original=False, **message.as_kwargs())
        return answer.status_code

    async def bot_user_id(self) -> str | None:
        """The bot's own user id (auth.test, once); None if Slack cannot say right now."""
        if self._bot_user_id is None:
            self.open_session()
            try:
                response = await self.client.auth_test()
                self._bot_user_id = response.get("user_id")
                self._bot_id = response.get("bot_id")
            except SlackApiError as exc:
                log.warning("auth.test failed", extra={"error": exc.response.get("error")})
        return self._bot_user_id

    # --- ChatPort -----------------------------------------------------------------------------------------

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        messages = render_card(card)
        ts = await self.post_message(channel.channel_id, messages[0])
        for more in messages[1:]:  # a card longer than one message continues in the round's thread
            await self.post_message(channel.channel_id, more, thread_ts=ts)
        return ts

    async def post_notice(self, channel: ChannelRef, card: Card) -> str:
        # On Slack any message can have a thread, so a notice is posted like a round's message.
        return await self.post_round(channel, card)

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        first = ""
        for message in render_card(card):
            ts = await self.post_message(thread.channel.channel_id, message, thread_ts=thread.message_id)
            first = first or ts
        return first

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        """Best effort: one person who cannot be reached must not stop the others' feedback."""
        try:
            for message in render_card(card):
                await self.post_ephemeral(channel.channel_id, member.user_id, message)
        except (SlackApiError, ChannelUnavailable) as exc:
            log.warning(
                "private message skipped", extra={"channel": channel.channel_id, "error": _error(exc)}
            )

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        bot_user_id = await self.bot_user_id()
        answers: list[IncomingAnswer] = []
        cursor: str | None = None
        while True:
            response = await self._call(
                thread.channel.channel_id,
                self.client.conversations_replies,
                channel=thread.channel.channel_id,
                ts=thread.message_id,
                limit=REPLIES_PAGE_SIZE,
                cursor=cursor,
            )
            answers += translate.thread_replies(
                response.get("messages") or [], thread, bot_user_id=bot_user_id
            )
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or not response.get("has_more", True):
                return answers

    async def find_posted(self, channel: ChannelRef, card: Card, since: dt.datetime) -> str | None:
        """After a crash between posting and recording: the ts of this card (same kind and round, told by
        the message metadata every card carries) if the bot already posted it in the channel since `since`.
        Thread replies are not in the channel history, so a reveal is never found (it is posted again)."""
        if card.round_id is None:
            return None
        bot_user_id = await self.bot_user_id()
        cursor: str | None = None
        while True:
            response = await self._call(
                channel.channel_id,
                self.client.conversations_history,
                channel=channel.channel_id,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=REPLIES_PAGE_SIZE,
                cursor=cursor,
            )
            for message in response.get("messages") or []:
                mine = (bot_user_id and message.get("user") == bot_user_id) or (
                    self._bot_id and message.get("bot_id") == self._bot_id
                )
                if mine and is_card_message(message, card):
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    # --- plain deliveries, also used by the Bolt app ------------------------------------------------------

    async def post_message(
        self, channel_id: str, message: SlackMessage, *, thread_ts: str | None = None
    ) -> str:
        await self.pacer.wait_turn(channel_id)
        response = await self._call(
            channel_id,
            self.client.chat_postMessage,
            channel=channel_id,
            thread_ts=thread_ts,
            unfurl_links=False,
            metadata=message.metadata,
            **message.as_kwargs(),
        )
        log.info(
            "slack message posted",
            extra={"channel": channel_id, "blocks": len(message.blocks), "in_thread": bool(thread_ts)},
        )
        return str(response["ts"])

    async def post_ephemeral(self, channel_id: str, user_id: str, message: SlackMessage) -> None:
        await self._call(
            channel_id,
            self.client.chat_postEphemeral,
            channel=channel_id,
            user=user_id,
            **message.as_kwargs(),
        )

    async def _call(self, channel_id: str, method: Any, **kwargs: Any) -> Any:
        self.open_session()
        try:
            return await method(**kwargs)
        except SlackApiError as exc:
            error = _error(exc)
            log.warning("slack call failed", extra={"channel": channel_id, "error": error})
            if error in UNREACHABLE_ERRORS:
                raise ChannelUnavailable(channel_id, error) from None
            raise


def _error(exc: Exception) -> str:
    if isinstance(exc, ChannelUnavailable):
        return exc.reason
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "unknown")
    return type(exc).__name__
