"""Reveal with a slow model grader: 100 answers, a fake OpenAI-compatible endpoint on 127.0.0.1 that takes
2 s per grade, PRACTICEBOT_LLM_CONCURRENCY 8. Answers arrive over `--arrive` seconds and are graded in the
background as they come; the reveal is called at its due time and the bench reports how long the reveal took
to post (goal: within 1 s of the due time, because grading ran as the answers arrived), how many grades the
reveal itself still asked for, and the process's peak RSS (goal: under 250 MB).

The fake endpoint runs in its own process, so its CPU time is not charged to the bot.

    .venv/bin/python bench/grading_reveal.py                   # 100 answers over 20 s, reveal at 40 s
    .venv/bin/python bench/grading_reveal.py --answers 200 --arrive 30 --reveal-at 70
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.llm.grader import LLMGrader
from bot.coverage import vocabulary
from bot.domain import (
    Card,
    ChannelRef,
    IncomingAnswer,
    MemberRef,
    Platform,
    ThreadRef,
)
from bot.engine import CommandContext, Engine
from bot.grading import LexicalGrader
from bot.ports import SystemClock
from content.library import QuestionLibrary
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork

GRADE_SECONDS = 2.0
CHANNEL = ChannelRef(platform=Platform.CONSOLE, workspace_id="w", channel_id="c", name="bench")


def serve_fake_model(port: int, labels: list[str]) -> None:
    async def complete(request: web.Request) -> web.Response:
        await request.json()
        await asyncio.sleep(GRADE_SECONDS)
        content = json.dumps(
            {
                "points": [{"label": labels[0], "verdict": "missed", "evidence": ""}],
                "misconceptions": [],
                "tip": "x",
            }
        )
        return web.json_response(
            {
                "id": "c",
                "object": "chat.completion",
                "created": 0,
                "model": "bench",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        )

    app = web.Application()
    app.router.add_post("/v1/chat/completions", complete)
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=False)


class Chat:
    platform = Platform.CONSOLE

    def __init__(self) -> None:
        self.posted_at: float | None = None
        self.n = 0

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        self.n += 1
        return f"m{self.n}"

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        self.posted_at = time.perf_counter()
        return "reveal"

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        return None

    async def fetch_replies(self, thread: ThreadRef) -> list[IncomingAnswer]:
        return []


async def run(args: argparse.Namespace, port: int) -> None:
    library = QuestionLibrary.load()
    question = library.get("canary-vs-shadow-release") or library.all()[0]
    tmp = Path(tempfile.mkdtemp())
    db = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    upgrade(db)
    grader = LLMGrader(
        base_url=f"http://127.0.0.1:{port}/v1",
        model="bench",
        api_key=None,
        timeout=30,
        concurrency=args.concurrency,
        fallback=LexicalGrader(vocabulary(library.all())),
    )
    chat = Chat()
    engine = Engine(
        uow=SqlUnitOfWork(db), questions=library, clock=SystemClock(), chat={"console": chat}, grader=grader
    )
    ctx = CommandContext(
        channel=CHANNEL,
        member=MemberRef(platform=Platform.CONSOLE, workspace_id="w", user_id="admin"),
        is_admin=True,
    )
    await engine.handle_command(ctx, f"/practice question {question.category.value}")
    thread = ThreadRef(channel=CHANNEL, message_id="m1")
    started = time.perf_counter()
    for i in range(args.answers):
        member = MemberRef(platform=Platform.CONSOLE, workspace_id="w", user_id=f"u{i}")
        text = f"Answer {i}: send a small share of traffic to the new model, compare, roll back if worse."
        await engine.record_answer(
            IncomingAnswer(thread=thread, member=member, text=text, message_id=f"r{i}")
        )
        await asyncio.sleep(args.arrive / args.answers)
    await asyncio.sleep(max(0.0, args.reveal_at - (time.perf_counter() - started)))
    pending = len(engine._pregrading)
    with db.connect() as conn:
        from sqlalchemy import text as sql

        cached = conn.execute(sql("SELECT count(*) FROM assessments")).scalar()
    due = time.perf_counter()
    await engine.reveal(1, by=None)
    assert chat.posted_at is not None
    with db.connect() as conn:
        from sqlalchemy import text as sql

        cached_after = conn.execute(sql("SELECT count(*) FROM assessments")).scalar()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"answers={args.answers} grade={GRADE_SECONDS:g}s concurrency={args.concurrency} "
        f"graded_before_reveal={cached} still_pending={pending} "
        f"graded_at_reveal={(cached_after or 0) - (cached or 0)} "
        f"reveal_posted_after={chat.posted_at - due:.3f}s peak_rss={rss:.0f}MB"
    )
    await engine.close_grading()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--arrive", type=float, default=20.0, help="seconds over which answers arrive")
    parser.add_argument("--reveal-at", type=float, default=40.0, help="seconds after the first answer")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=18391)
    args = parser.parse_args()
    library = QuestionLibrary.load()
    question = library.get("canary-vs-shadow-release") or library.all()[0]
    labels = [p.label for p in question.key_points]
    server = multiprocessing.Process(target=serve_fake_model, args=(args.port, labels), daemon=True)
    server.start()
    time.sleep(1.0)
    try:
        asyncio.run(run(args, args.port))
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
