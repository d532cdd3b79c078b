"""Slack test kit: a fake Slack Web API (and Socket Mode websocket) on 127.0.0.1, payload fixtures, signed
requests, and fixtures that run the real Bolt app + AsyncWebClient against the fake.

Test modules import the fixtures with `from slack_testkit import *` (a conftest.py here would shadow the
suite's root conftest module).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.slack.adapter import SlackAdapter
from adapters.slack.chat import SlackChat, make_client
from bot.engine import Engine
from bot.settings import Settings, load_settings
from storage.repository import SqlUnitOfWork

__all__ = [
    "BOT_USER",
    "CHANNEL_ID",
    "SECRET",
    "TEAM",
    "Call",
    "FakeSlack",
    "SlackBot",
    "fake_slack",
    "load_fixture",
    "sign",
    "slack_bot",
    "slack_settings",
]

FIXTURES = Path(__file__).parent / "fixtures"
TEAM = "T0PRACTICE"
CHANNEL_ID = "C0PRACTICE"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
ADMIN = "U0ADMIN"  # a workspace admin according to the fake users.info
LISTED_ADMIN = "U0LISTED"  # an admin by PRACTICEBOT_ADMINS


def load_fixture(name: str, **values: Any) -> dict[str, Any]:
    """A payload from fixtures/, with __PLACEHOLDERS__ filled in (keys given in lower case)."""
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", str(value))
    return json.loads(text)


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float  # event-loop time, for pacing assertions
    connection: object = None  # the client's (host, port): which TCP connection carried the call


@dataclass
class FakeSlack:
    """Answers the Web API methods the bot uses and records every call."""

    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    thread_messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # thread ts -> replies
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> top-level posts
    rate_limit_once: set[str] = field(default_factory=set)  # methods that answer 429 the first time
    errors: dict[str, str] = field(default_factory=dict)  # method -> Slack error code (ok: false)
    replies_page_size: int = 2
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    socket_outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_connected: asyncio.Event = field(default_factory=asyncio.Event)
    _ts: int = 0
    _runner: web.AppRunner | None = None
    base: str = ""

    # --- lifecycle ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/respond/{key}", self._respond),
                web.get("/socket", self._socket),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str = "cmd") -> str:
        return f"{self.base}/respond/{key}"

    # --- assertions ---------------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Work after an ack runs in the background: poll briefly until it shows up."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.calls_to(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; saw {seen}")
            await asyncio.sleep(0.01)
        return self.calls_to(method)

    # --- routes -------------------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1764064800.{self._ts:06d}"

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        args["_authorization"] = request.headers.get("Authorization", "")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.calls.append(Call(method, args, asyncio.get_running_loop().time(), peer))
        if method in self.rate_limit_once:
            self.rate_limit_once.discard(method)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "practicebot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message = {"type": "message", "text": args.get("text"), "user": BOT_USER, "bot_id": BOT_ID, "ts": ts}
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        if not args.get("thread_ts"):
            self.history.setdefault(str(args.get("channel")), []).insert(0, message)  # newest first
        return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        oldest = float(args.get("oldest") or 0)
        messages = [m for m in self.history.get(str(args.get("channel")), []) if float(m["ts"]) > oldest]
        if str(args.get("include_all_metadata")).lower() not in ("1", "true"):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        return {"ok": True, "messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user"))
        user = {"id": user_id, "team_id": TEAM, "name": user_id.lower(), "is_admin": user_id == ADMIN}
        user |= self.users.get(user_id, {})
        return {"ok": True, "user": user}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        return {"ok": True, "view": {"id": "V0OPENED", **(view or {})}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        messages = self.thread_messages.get(str(args.get("ts")), [])
        start = int(args.get("cursor") or 0)
        page = messages[start : start + self.replies_page_size]
        more = start + self.replies_page_size < len(messages)
        meta = {"next_cursor": str(start + self.replies_page_size) if more else ""}
        return {"ok": True, "messages": page, "has_more": more, "response_metadata": meta}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.base.replace("http://", "ws://") + "/socket"}

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        args = await request.json()
        args["_key"] = request.match_info["key"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.calls.append(Call("response_url", args, asyncio.get_running_loop().time(), peer))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0PRACTICE"},
        }
        await ws.send_json(hello)
        self.socket_connected.set()

        async def send_envelopes() -> None:
            while True:
                await ws.send_json(await self.socket_outbox.get())

        sender = asyncio.create_task(send_envelopes())
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
        finally:
            sender.cancel()
        return ws


# --- the bot under test -----------------------------------------------------------------------------------


@dataclass
class SlackBot:
    """The real SlackAdapter (Bolt app on aiohttp) serving 127.0.0.1, plus ways to talk to it like Slack."""

    adapter: SlackAdapter
    engine: Engine
    fake: FakeSlack
    url: str
    session: aiohttp.ClientSession
    _event_seq: int = 0
    _ts_seq: int = 0

    def next_ts(self) -> str:
        self._ts_seq += 1
        return f"1764064900.{self._ts_seq:06d}"

    def next_event_id(self) -> str:
        self._event_seq += 1
        return f"Ev0TEST{self._event_seq:04d}"

    async def post(
        self, body: str, content_type: str, *, headers: dict[str, str] | None = None, signed: bool = True
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        async with self.session.post(
            f"{self.url}/slack/events", data=body.encode(), headers=all_headers
        ) as r:
            return r.status, await r.text()

    async def command(self, text: str, *, user: str = "U0SAM", **headers: str) -> tuple[int, str]:
        form = load_fixture("slash_command.json", response_url=self.fake.response_url())
        form |= {"text": text, "user_id": user, "user_name": user.lower()}
        return await self.post(
            urllib.parse.urlencode(form), "application/x-www-form-urlencoded", headers=headers
        )

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(self, action_id: str, round_id: int, *, user: str = "U0SAM") -> tuple[int, str]:
        payload = load_fixture(
            "block_actions.json",
            action_id=action_id,
            round_id=round_id,
            response_url=self.fake.response_url(),
        )
        payload["user"]["id"] = user
        return await self.interaction(payload)

    async def event(
        self, fixture: str, *, event_id: str | None = None, retry: int | None = None, **values: Any
    ) -> tuple[int, str]:
        payload = load_fixture(fixture, event_id=event_id or self.next_event_id(), **values)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(json.dumps(payload), "application/json", headers=headers)

    async def reply(self, thread_ts: str, text: str, *, user: str = "U0SAM", **kw: Any) -> tuple[str, str]:
        """A thread reply event; returns (reply ts, event id)."""
        ts, event_id = kw.pop("ts", None) or self.next_ts(), kw.pop("event_id", None) or self.next_event_id()
        status, _ = await self.event(
            "event_thread_reply.json",
            event_id=event_id,
            ts=ts,
            thread_ts=thread_ts,
            user=user,
            text=text,
            **kw,
        )
        assert status == 200
        return ts, event_id


def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PRACTICEBOT_ADMINS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake_slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    _clean_environment(monkeypatch)
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def slack_settings(fake_slack: FakeSlack) -> Settings:
    return load_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
        http_host="127.0.0.1",
        admins=LISTED_ADMIN,
        database_url="sqlite://",
    )


@pytest.fixture
async def slack_bot(slack_settings, fake_slack, memory_db, mini_library, clock) -> AsyncIterator[SlackBot]:
    client = make_client(slack_settings)
    chat = SlackChat(client, min_interval=0.0)
    adapter = SlackAdapter(slack_settings, client=client, chat=chat, port=0)
    engine = Engine(uow=SqlUnitOfWork(memory_db), questions=mini_library, clock=clock, chat={"slack": chat})
    await adapter.start(engine)
    async with aiohttp.ClientSession() as session:
        yield SlackBot(adapter, engine, fake_slack, f"http://127.0.0.1:{adapter.port}", session)
    await adapter.stop()
