"""SlackAdapter: the PlatformAdapter `practicebot run` starts. HTTP mode by default; Socket Mode when
SLACK_APP_TOKEN is set. `chat` works without `start()` (for `practicebot tick`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from adapters.slack.admins import AdminCheck
from adapters.slack.app import SlackHandlers
from adapters.slack.chat import SlackChat, make_client
from adapters.slack.server import HttpServer
from adapters.slack.work import BackgroundWork
from bot.settings import ConfigError, Settings

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("practicebot.slack")

STOP_GRACE_SECONDS = 10.0

# auth.test / apps.connections.open errors that mean the token itself is wrong.
BAD_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


def build_bolt_app(client: AsyncWebClient, signing_secret: str, handlers: SlackHandlers) -> AsyncApp:
    """A Bolt AsyncApp on our own client (so auth.test goes to PRACTICEBOT_SLACK_API_URL, not slack.com).

    `process_before_response`: Bolt answers Slack when the listener returns. Our listeners only ack and
    hand their work to `BackgroundWork`, so that is at once, and an event's 200 comes after its answer
    is stored (the listener middleware), never before."""
    bolt = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        name="practicebot",
        logger=logging.getLogger("slack_bolt.practicebot"),
        process_before_response=True,
    )
    handlers.register(bolt)
    return bolt


class SlackAdapter:
    name = "slack"

    def __init__(
        self,
        settings: Settings,
        *,
        client: AsyncWebClient | None = None,
        chat: SlackChat | None = None,
        port: int | None = None,
        vote_reactions: Iterable[str] = translate.DEFAULT_VOTE_REACTIONS,
        admin_cache_seconds: float = 60.0,
    ) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        self.chat = chat or SlackChat(self.client)
        self.admins = AdminCheck(self.client, settings.admins, ttl=admin_cache_seconds)
        self.vote_reactions = frozenset(vote_reactions)
        self.port = settings.http_port if port is None else port
        self.work = BackgroundWork()
        self.bolt: AsyncApp | None = None
        self.http: HttpServer | None = None
        self.socket: AsyncSocketModeHandler | None = None

    @property
    def serves_http(self) -> bool:
        """HTTP mode serves /slack/events with /healthz and /readyz; Socket Mode has no HTTP endpoint."""
        return not self.socket_mode

    @property
    def socket_mode(self) -> bool:
        return self.settings.slack_app_token is not None

    async def start(self, engine: Engine) -> None:
        self.chat.open_session()  # the Bolt app shares the client, so its calls reuse the connections too
        await self._check_bot_token()
        handlers = SlackHandlers(
            engine, self.chat, self.client, self.admins, vote_reactions=self.vote_reactions, work=self.work
        )
        secret = self.settings.slack_signing_secret
        self.bolt = build_bolt_app(self.client, secret.get_secret_value() if secret else "", handlers)
        if self.settings.slack_app_token is not None:
            await self._start_socket_mode(self.bolt, self.settings.slack_app_token.get_secret_value())
        else:
            self.http = HttpServer(
                self.bolt,
                self.settings.http_host,
                self.port,
                work=self.work,
                signing_secret=secret.get_secret_value() if secret else None,
                ready=engine.ready,
            )
            await self.http.start()
            self.port = self.http.port

    async def _check_bot_token(self) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            if error in BAD_TOKEN_ERRORS:
                raise ConfigError(f"SLACK_BOT_TOKEN: Slack refused the token ({error})") from None
            log.warning("auth.test failed at start", extra={"error": error})
            return
        log.info(
            "slack connected", extra={"team": identity.get("team_id"), "bot_user": identity.get("user_id")}
        )

    async def _start_socket_mode(self, bolt: AsyncApp, app_token: str) -> None:
        handler = AsyncSocketModeHandler(bolt, app_token, web_client=self.client)
        try:
            # Ask for the websocket URL once here, so a wrong app token stops the start with a clear line
            # instead of the client's endless reconnect loop.
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except SlackApiError as exc:
            await handler.close_async()
            error = str(exc.response.get("error"))
            raise ConfigError(f"SLACK_APP_TOKEN: Slack refused it for Socket Mode ({error})") from None
        await handler.connect_async()
        self.socket = handler
        log.info("slack socket mode connected")

    async def stop(self) -> None:
        """Stop taking requests, then give acked work a few seconds to finish."""
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self.http is not None:
            await self.http.stop()
            self.http = None
        await self.work.drain(STOP_GRACE_SECONDS)
        await self.chat.close()


def create_adapter(settings: Settings) -> SlackAdapter:
    """The entry point `practicebot run` calls when SLACK_BOT_TOKEN is set."""
    if settings.slack_bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN: not set")
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET: needed in HTTP mode (Basic Information > App Credentials), "
            "or set SLACK_APP_TOKEN to use Socket Mode"
        )
    return SlackAdapter(settings, vote_reactions=settings.slack_vote_reactions)
