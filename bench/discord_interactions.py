"""Discord interaction latency: time from an INTERACTION_CREATE leaving the gateway to the interaction
callback POST reaching Discord's REST API, for `/practice question` (4 in 5) and `/practice help` (1 in 5).

The real adapter (discord.py client, `/practice` tree, handlers, engine, a temporary SQLite file, the bundled
question pack) runs in this process against the fake Discord REST API + gateway of the adapter tests
(tests/adapters/discord/fake_discord.py), which runs in a child process so its CPU time is not charged to the
bot. The fake sends every event and timestamps both ends with the same clock. Phases, each over
`--interactions` (500): `sequential` (the next interaction right after the previous callback) and `bursts`
(`--burst` interactions back to back, then wait for all callbacks). A short warm-up is not counted. Each
callback is checked (an ephemeral answer; a question with its buttons); `bad=` counts the ones that were not.
Goal (Discord issue): p99 under 100 ms on loopback.

    .venv/bin/python bench/discord_interactions.py                     # 500 sequential + 500 in bursts of 10
    .venv/bin/python bench/discord_interactions.py --interactions 2000 --burst 25
    .venv/bin/python bench/discord_interactions.py --pack tests/fixtures/packs/mini --log-level WARNING
    .venv/bin/python bench/discord_interactions.py --profile /tmp/bot.prof   # where the bot's time goes
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import math
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yarl
from aiohttp import ClientSession, ClientTimeout, web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "adapters" / "discord"))

from fake_discord import (  # noqa: E402  (the adapter tests' fake Discord)
    CHANNEL_ID,
    COMMAND_ID,
    GUILD_ID,
    FakeDiscord,
    interaction_payload,
    member_payload,
    user,
)

EPHEMERAL = 64
CALLBACK_TIMEOUT = 10.0  # seconds; an interaction not answered by then counts as bad, at this value
MEMBERS = [user(100000000000001000 + i, f"Member{i}") for i in range(20)]
HELP_TOPICS = [None, "question", "schedule", "leaderboard", "config"]


# --- the fake Discord (child process) -------------------------------------------------------------------


class BenchDiscord(FakeDiscord):
    """The tests' fake, plus timestamps: the moment each interaction is sent and its callback arrives."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.rng = random.Random(7)
        self.pending: dict[str, asyncio.Future[tuple[float, Any]]] = {}
        self.categories: list[str] = []  # the pack's categories, sent with the run

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_post("/bench/run", self._run)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _rest(self, request: web.Request) -> web.Response:
        received = time.perf_counter()
        parts = request.match_info["path"].split("/")
        if request.method == "POST" and len(parts) == 4 and parts[0] == "interactions":
            waiter = self.pending.pop(parts[1], None)
            if waiter is not None and not waiter.done():
                raw = await request.read()
                body = json.loads(raw) if request.content_type == "application/json" and raw else None
                waiter.set_result((received, body))
        return await super()._rest(request)

    # --- one interaction --------------------------------------------------------------------------------

    def next_interaction(self) -> tuple[str, dict[str, Any]]:
        """`/practice question [category]` four times in five, `/practice help [command]` otherwise."""
        if self.rng.random() < 0.2:
            kind, topic = "help", self.rng.choice(HELP_TOPICS)
            options = [{"name": "command", "type": 3, "value": topic}] if topic else []
        else:
            kind, category = "question", self.rng.choice([None, *self.categories])
            options = [{"name": "category", "type": 3, "value": category}] if category else []
        data = {
            "id": str(COMMAND_ID),
            "name": "practice",
            "type": 1,
            "guild_id": str(GUILD_ID),
            "options": [{"name": kind, "type": 1, "options": options}],
        }
        payload = interaction_payload(
            self.snowflake(),
            2,
            data,
            channel=self.channels[CHANNEL_ID],
            member=member_payload(self.rng.choice(MEMBERS)),
        )
        return kind, payload

    async def send(self) -> asyncio.Task[tuple[float, str | None]]:
        """Dispatch one interaction; a task that gives (latency in seconds, why it was bad or None)."""
        kind, payload = self.next_interaction()
        waiter: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
        self.pending[payload["id"]] = waiter
        sent = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload)

        async def answered() -> tuple[float, str | None]:
            try:
                received, body = await asyncio.wait_for(waiter, CALLBACK_TIMEOUT)
            except TimeoutError:
                self.pending.pop(payload["id"], None)
                return CALLBACK_TIMEOUT, f"{kind}: no callback within {CALLBACK_TIMEOUT:.0f} s"
            return received - sent, _problem(kind, body)

        return asyncio.create_task(answered())

    # --- a run, asked for by the bot's process ----------------------------------------------------------

    async def _run(self, request: web.Request) -> web.Response:
        n, burst, warmup = (int(request.query[k]) for k in ("n", "burst", "warmup"))
        self.categories = request.query["categories"].split(",")
        for _ in range(warmup):
            await (await self.send())
        phases: dict[str, Any] = {}
        results = [await (await self.send()) for _ in range(n)]
        phases["sequential"] = _summary(results)
        if burst > 1:
            results = []
            for start in range(0, n, burst):
                tasks = [await self.send() for _ in range(min(burst, n - start))]
                results += await asyncio.gather(*tasks)
            phases[f"bursts of {burst}"] = _summary(results)
        return web.json_response(phases)


def _problem(kind: str, body: Any) -> str | None:
    """Why a callback is not what the bot should have answered, or None."""
    data = (body or {}).get("data") or {}
    if (body or {}).get("type") != 4 or not data.get("flags", 0) & EPHEMERAL:
        return f"{kind}: not an ephemeral answer: {str(body)[:200]}"
    buttons = [
        c.get("custom_id", "") for row in data.get("components") or [] for c in row.get("components", [])
    ]
    if kind == "question" and not any(b.startswith("practice:post_to_channel:") for b in buttons):
        return f"{kind}: no Post to channel button: {str(body)[:200]}"
    if kind == "help" and not data.get("embeds"):
        return f"{kind}: no help card: {str(body)[:200]}"
    return None


def _summary(results: list[tuple[float, str | None]]) -> dict[str, Any]:
    problems = [p for _, p in results if p]
    return {"latencies": [s for s, _ in results], "bad": len(problems), "first_bad": problems[:1]}


def serve_fake_discord(conn: Connection) -> None:
    """The child process: start the fake, tell the parent its port, serve until terminated."""

    async def serve() -> None:
        fake = BenchDiscord()
        await fake.start()
        conn.send(fake.port)
        try:
            await asyncio.Event().wait()
        finally:
            await fake.stop()

    asyncio.run(serve())


# --- the bot (this process) -----------------------------------------------------------------------------


async def run_bot(port: int, args: argparse.Namespace, workdir: str) -> dict[str, Any]:
    from discord.gateway import DiscordWebSocket

    from adapters.discord.client import DiscordAdapter
    from bot.engine import Engine
    from bot.ports import SystemClock
    from bot.settings import Settings
    from content.library import QuestionLibrary
    from storage.database import make_engine
    from storage.migrate import upgrade
    from storage.repository import SqlUnitOfWork

    db = make_engine(f"sqlite:///{workdir}/bench.db")
    upgrade(db)
    library = (
        QuestionLibrary.load([Path(args.pack)], include_bundled=False)
        if args.pack
        else QuestionLibrary.load()
    )
    base = f"http://127.0.0.1:{port}"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    settings = Settings(
        discord_token="fake-token",
        discord_api_url=f"{base}/api/v10",
        discord_guild_ids=(GUILD_ID,),
        discord_message_content=True,
        discord_admin_role="Practice Admin",
        admins=(),
    )
    adapter = DiscordAdapter(settings, guild_ready_timeout=0.01)
    engine = Engine(
        uow=SqlUnitOfWork(db), questions=library, clock=SystemClock(), chat={"discord": adapter.chat}
    )
    await adapter.start(engine)
    if args.gc_freeze:  # as `practicebot run` does once started: start-up objects out of the collector's way
        gc.collect()
        gc.freeze()
    try:
        categories = ",".join(sorted({q.category.value for q in library.all()}))
        query = {"n": args.interactions, "burst": args.burst, "warmup": args.warmup, "categories": categories}
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        async with (
            ClientSession(timeout=ClientTimeout(total=None)) as session,
            session.post(f"{base}/bench/run", params=query) as response,
        ):
            response.raise_for_status()
            phases = await response.json()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
    finally:
        await adapter.stop()
        db.dispose()
    phases["_questions"] = len(library.all())
    return phases


def quiet_logging(level: str) -> None:
    """Log as `practicebot run` does (key=value lines), to /dev/null: formatting is part of the cost."""
    from practicebot.logging_setup import KeyValueFormatter

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115  (lives as long as the process)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("sqlalchemy", "aiohttp", "discord"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    index = max(0, math.ceil(q / 100 * len(sorted_values)) - 1)
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=500, help="per phase")
    parser.add_argument(
        "--burst", type=int, default=10, help="interactions per burst; 1 skips the burst phase"
    )
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() once started, as practicebot run"
    )
    parser.add_argument("--warmup", type=int, default=20, help="interactions sent first and not counted")
    parser.add_argument("--pack", default="", help="a question pack folder instead of the bundled packs")
    parser.add_argument("--log-level", default="INFO", help="the bot's log level (lines go to /dev/null)")
    parser.add_argument(
        "--profile", default="", help="write the bot process's cProfile stats of the run here"
    )
    args = parser.parse_args()
    quiet_logging(args.log_level)

    # The fake starts before any event loop exists in this process (safe with fork and spawn alike).
    ours, theirs = multiprocessing.Pipe()
    fake = multiprocessing.Process(target=serve_fake_discord, args=(theirs,), daemon=True)
    fake.start()
    try:
        if not ours.poll(30):
            raise SystemExit("the fake Discord did not start")
        port = ours.recv()
        with tempfile.TemporaryDirectory() as workdir:
            phases = asyncio.run(run_bot(port, args, workdir))
    finally:
        fake.terminate()
        fake.join(5)

    questions = phases.pop("_questions")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"pack={args.pack or 'bundled'} questions={questions} warmup={args.warmup} load={load}")
    for name, phase in phases.items():
        ms = sorted(s * 1000 for s in phase["latencies"])
        print(
            f"{name}: n={len(ms)} p50={percentile(ms, 50):.1f}ms p99={percentile(ms, 99):.1f}ms "
            f"max={ms[-1]:.1f}ms mean={statistics.fmean(ms):.1f}ms bad={phase['bad']}"
            + (f" first_bad={phase['first_bad'][0]!r}" if phase["first_bad"] else "")
        )


if __name__ == "__main__":
    main()
