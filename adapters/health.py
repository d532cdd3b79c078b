"""Health endpoints for orchestrators: `GET /healthz` (liveness: the process answers) and `GET /readyz`
(readiness: the database answers within a second). The Slack HTTP endpoint serves them beside
`/slack/events`; Socket Mode and Discord-only deployments get this small server on PRACTICEBOT_HTTP_PORT."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.settings import ConfigError

log = logging.getLogger("practicebot.health")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

Ready = Callable[[], Awaitable[bool]]


def add_health_routes(app: web.Application, ready: Ready | None) -> None:
    async def health(_request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok"})

    async def readiness(_request: web.Request) -> web.StreamResponse:
        if ready is None or await ready():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "not ready", "database": "unreachable"}, status=503)

    app.add_routes([web.get(HEALTH_PATH, health), web.get(READY_PATH, readiness)])


class HealthServer:
    """`/healthz` and `/readyz` alone, on host:port."""

    def __init__(self, host: str, port: int, ready: Ready) -> None:
        app = web.Application()
        add_health_routes(app, ready)
        self.runner = web.AppRunner(app, access_log=None)
        self.host = host
        self.port = port

    async def start(self) -> None:
        await self.runner.setup()
        try:
            await web.TCPSite(self.runner, self.host, self.port).start()
        except OSError as exc:  # the port is taken (another replica on this host, another service)
            await self.runner.cleanup()
            raise ConfigError(
                f"PRACTICEBOT_HTTP_PORT: cannot serve /healthz and /readyz on {self.host}:{self.port} "
                f"({exc.strerror or exc}); give each process on this host its own port"
            ) from None
        addresses = self.runner.addresses
        if addresses and isinstance(addresses[0], tuple):
            self.port = int(addresses[0][1])  # the real port when 0 asked for any free one
        log.info("health endpoints listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        await self.runner.cleanup()
