"""Shared fixtures: the test pack, databases (SQLite always, PostgreSQL when configured), a fake chat port."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.daily import DailyRounds
from bot.domain import Card, ChannelRef, IncomingAnswer, MemberRef, Platform, Reply, ThreadRef, Visibility
from bot.engine import CommandContext, EngineConfig
from bot.engine import Engine as BotEngine
from bot.ports import FixedClock
from content.library import QuestionLibrary
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork

FIXTURES = Path(__file__).parent / "fixtures"
MINI_PACK = FIXTURES / "packs" / "mini"
PG_URL = os.environ.get("PRACTICEBOT_TEST_DATABASE_URL", "")
DATABASES = ["sqlite", *(["postgresql"] if PG_URL else [])]

# Wednesday 25 November 2026, 10:00 UTC: a fixed start for every test clock.
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def mini_library() -> QuestionLibrary:
    return QuestionLibrary.load([MINI_PACK], include_bundled=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _postgres_engine(schema: str) -> Engine:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(PG_URL, schema=schema)


def _drop_postgres_schema(schema: str) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database: a SQLite file, or an isolated PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = f"pbtest_{uuid.uuid4().hex[:12]}"
    engine = _postgres_engine(schema)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        _drop_postgres_schema(schema)


@pytest.fixture
def memory_db() -> Iterator[Engine]:
    engine = make_engine("sqlite://")
    upgrade(engine)
    yield engine
    engine.dispose()


@dataclass
class FakeChat:
    """An in-memory ChatPort that remembers what was delivered where."""

    platform: Platform = Platform.CONSOLE
    posts: list[tuple[str, Card]] = field(default_factory=list)
    thread_history: dict[str, list[IncomingAnswer]] = field(default_factory=dict)
    fail_next_post: bool = False
    failing_channels: set[str] = field(default_factory=set)
    failing_threads: int = 0  # the next this many thread posts fail
    _n: int = 0

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        if self.fail_next_post or channel.channel_id in self.failing_channels:
            self.fail_next_post = False
            raise ConnectionError("platform unavailable")
        self._n += 1
        message_id = f"msg{self._n}"
        self.posts.append((f"channel:{message_id}", card))
        return message_id

    async def find_posted(self, channel: ChannelRef, card: Card, since: dt.datetime) -> str | None:
        for where, posted in self.posts:
            if posted.kind == card.kind and posted.round_id == card.round_id:
                return where.split(":", 1)[1]
        return None

    async def post_notice(self, channel: ChannelRef, card: Card) -> str:
        if channel.channel_id in self.failing_channels:
            raise ConnectionError("platform unavailable")
        self._n += 1
        self.posts.append((f"notice:{channel.channel_id}", card))
        return f"msg{self._n}"

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        if self.failing_threads:
            self.failing_threads -= 1
            raise ConnectionError("platform unavailable")
        self._n += 1
        self.posts.append((f"thread:{thread.message_id}", card))
        return f"msg{self._n}"

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        self.posts.append((f"private:{member.user_id}", card))

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        return list(self.thread_history.get(thread.message_id, ()))


CHANNEL = ChannelRef(platform=Platform.CONSOLE, workspace_id="w1", channel_id="c1", name="mlops-study")


def member(name: str) -> MemberRef:
    return MemberRef(platform=Platform.CONSOLE, workspace_id="w1", user_id=name, display_name=name.title())


@dataclass
class Transcript:
    """Chat-transcript style driving of the engine: `say` a line as someone, look at what came back."""

    engine: BotEngine
    chat: FakeChat
    clock: FixedClock
    channel: ChannelRef = CHANNEL
    admins: set[str] = field(default_factory=lambda: {"alice"})
    thread: ThreadRef | None = None

    async def say(self, user: str, line: str, *, visibility: Visibility = Visibility.PUBLIC) -> list[Reply]:
        if line.startswith("/practice"):
            before = len(self.chat.posts)
            ctx = CommandContext(
                channel=self.channel,
                member=member(user),
                is_admin=user in self.admins,
                question_visibility=visibility,
            )
            replies = await self.engine.handle_command(ctx, line)
            for where, _card in self.chat.posts[before:]:
                if where.startswith("channel:"):
                    self.thread = ThreadRef(channel=self.channel, message_id=where.split(":", 1)[1])
            return replies
        assert self.thread is not None, "no open thread to answer in"
        self.chat._n += 1
        incoming = IncomingAnswer(
            thread=self.thread, member=member(user), text=line, message_id=f"reply{self.chat._n}"
        )
        self.chat.thread_history.setdefault(self.thread.message_id, []).append(incoming)
        recorded = await self.engine.record_answer(incoming)
        return [Reply(card=recorded.notice)] if recorded.notice else []

    def delivered(self, prefix: str) -> list[Card]:
        return [card for where, card in self.chat.posts if where.startswith(prefix)]


def make_transcript(
    db: Engine, library: QuestionLibrary, clock: FixedClock, *, charts: bool = False
) -> Transcript:
    """Charts are off unless a test is about them: drawing one costs ~50 ms."""
    chat = FakeChat()
    engine = BotEngine(
        uow=SqlUnitOfWork(db),
        questions=library,
        clock=clock,
        chat={"console": chat},
        config=EngineConfig(charts=charts),
    )
    return Transcript(engine=engine, chat=chat, clock=clock)


@pytest.fixture
def transcript(memory_db: Engine, mini_library: QuestionLibrary, clock: FixedClock) -> Transcript:
    return make_transcript(memory_db, mini_library, clock)


def text_of(card: Card) -> str:
    """Everything a reader would see on a card, as one string, for assertions."""
    parts = [card.title, card.footer]
    for section in card.sections:
        parts += [section.heading, section.body, *section.bullets]
    return "\n".join(p for p in parts if p)


def daily_process(
    db: Engine, library: QuestionLibrary, at: dt.datetime
) -> tuple[DailyRounds, FakeChat, FixedClock]:
    """One bot process: its own engine, chat connection and clock, sharing only the database."""
    chat, clock = FakeChat(), FixedClock(at)
    engine = BotEngine(uow=SqlUnitOfWork(db), questions=library, clock=clock, chat={"console": chat})
    return DailyRounds(engine), chat, clock
