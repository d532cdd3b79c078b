"""The health server Socket Mode and Discord-only deployments run (adapters/health.py)."""

from __future__ import annotations

import aiohttp

from adapters.health import HealthServer


async def test_health_server_answers_liveness_and_readiness() -> None:
    state = {"ready": True}

    async def ready() -> bool:
        return state["ready"]

    server = HealthServer("127.0.0.1", 0, ready)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{server.port}"
            async with session.get(f"{base}/readyz") as r:
                assert r.status == 200
            state["ready"] = False
            async with session.get(f"{base}/readyz") as r:
                assert r.status == 503 and (await r.json())["database"] == "unreachable"
            async with session.get(f"{base}/healthz") as r:
                assert r.status == 200
    finally:
        await server.stop()


async def test_a_taken_port_names_the_variable() -> None:
    import pytest

    from bot.settings import ConfigError

    async def ready() -> bool:
        return True

    first = HealthServer("127.0.0.1", 0, ready)
    await first.start()
    try:
        with pytest.raises(ConfigError, match="PRACTICEBOT_HTTP_PORT"):
            await HealthServer("127.0.0.1", first.port, ready).start()
    finally:
        await first.stop()
