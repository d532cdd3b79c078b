"""HTTP mode: an aiohttp server with POST /slack/events (commands, events, interactivity) and GET /healthz.

Bolt verifies the signature (401 when it is missing, wrong or older than 5 minutes) and answers
url_verification; a body that cannot be parsed at all gets 400 here, before Bolt sees it.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.work import BackgroundWork

log = logging.getLogger("practicebot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_web_app(bolt: AsyncApp, work: BackgroundWork | None = None) -> web.Application:
    """The routes; `work` (if given) hears of every request, so its jobs let pending acks go first."""

    async def events(request: web.Request) -> web.StreamResponse:
        if work is None:
            return await answer(request)
        with work.incoming():
            return await answer(request)

    async def answer(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
        except Exception as exc:  # not JSON / not a form Slack would send: nothing is processed
            log.warning("malformed slack request", extra={"bytes": len(raw), "error": type(exc).__name__})
            return web.json_response({"error": "malformed request"}, status=400)
        response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    async def health(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.add_routes([web.post(EVENTS_PATH, events), web.get(HEALTH_PATH, health)])
    return app


class HttpServer:
    """The web app on host:port, started and stopped without blocking the event loop."""

    def __init__(self, bolt: AsyncApp, host: str, port: int, work: BackgroundWork | None = None) -> None:
        self.runner = web.AppRunner(build_web_app(bolt, work), access_log=None)
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
