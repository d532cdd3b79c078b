"""HTTP mode: an aiohttp server with POST /slack/events (commands, events, interactivity), GET /healthz and
GET /readyz (adapters/health.py).

Requests are checked here before Bolt sees them: a missing, wrong or stale signature (or a timestamp that
is no number) gets 401, a body that cannot be parsed, or an event callback whose `event` is no object, 400.
Bolt checks the signature again and answers url_verification.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.health import Ready, add_health_routes
from adapters.slack.work import BackgroundWork

log = logging.getLogger("practicebot.slack")

EVENTS_PATH = "/slack/events"


def _is_signed(verifier: SignatureVerifier | None, body: str, headers: Mapping[str, str]) -> bool:
    if verifier is None:  # Socket Mode apps have no HTTP endpoint; tests may build one without a secret
        return True
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isdigit():
        return False
    return verifier.is_valid(body, timestamp, headers.get("X-Slack-Signature", ""))


def _malformed_event(body: str) -> bool:
    """A JSON event callback whose `event` is not an object: Bolt would fail on it with a 500."""
    try:
        payload = json.loads(body)
    except ValueError:
        return False  # not JSON: a form body, judged by Bolt's parser below
    return isinstance(payload, dict) and "event" in payload and not isinstance(payload["event"], dict)


def build_web_app(
    bolt: AsyncApp,
    work: BackgroundWork | None = None,
    signing_secret: str | None = None,
    ready: Ready | None = None,
) -> web.Application:
    """The routes; `work` (if given) hears of every request, so its jobs let pending acks go first."""

    async def events(request: web.Request) -> web.StreamResponse:
        if work is None:
            return await answer(request)
        with work.incoming():
            return await answer(request)

    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    async def answer(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("malformed slack request", extra={"bytes": len(raw), "error": "UnicodeDecodeError"})
            return web.json_response({"error": "malformed request"}, status=400)
        if not _is_signed(verifier, body, request.headers):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
        except Exception as exc:  # not JSON / not a form Slack would send: nothing is processed
            log.warning("malformed slack request", extra={"bytes": len(raw), "error": type(exc).__name__})
            return web.json_response({"error": "malformed request"}, status=400)
        if _malformed_event(body):
            log.warning("malformed slack event", extra={"bytes": len(raw)})
            return web.json_response({"error": "malformed event"}, status=400)
        response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    app = web.Application()
    app.add_routes([web.post(EVENTS_PATH, events)])
    add_health_routes(app, ready)
    return app


class HttpServer:
    """The web app on host:port, started and stopped without blocking the event loop."""

    def __init__(
        self,
        bolt: AsyncApp,
        host: str,
        port: int,
        work: BackgroundWork | None = None,
        signing_secret: str | None = None,
        ready: Ready | None = None,
    ) -> None:
        self.runner = web.AppRunner(build_web_app(bolt, work, signing_secret, ready), access_log=None)
        self.host = host
        self.port = port

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        addresses = self.runner.addresses
        if addresses and isinstance(addresses[0], tuple):
            self.port = int(addresses[0][1])  # the real port when 0 asked for any free one
        log.info("slack http server listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        await self.runner.cleanup()
