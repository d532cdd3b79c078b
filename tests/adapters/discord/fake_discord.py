"""A small fake of Discord's REST API and gateway on 127.0.0.1, enough for real discord.py to log in, connect,
receive events and make the calls the adapter makes. Every REST call is recorded for assertions.

Gotchas it respects (see PLATFORM-FACTS.md): discord.py parses a body as JSON only when Content-Type is
exactly `application/json`; interaction payloads need `attachment_size_limit`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
APP_ID = 900000000000000001
GUILD_ID = 800000000000000001
CHANNEL_ID = 700000000000000001
ADMIN_ROLE_ID = 600000000000000001
COMMAND_ID = 500000000000000001

BOT_USER = {
    "id": str(APP_ID),
    "username": "practicebot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}


def user(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


ALICE = user(100000000000000001, "Alice")
BOB = user(100000000000000002, "Bob")
CAROL = user(100000000000000003, "Carol")
OTHER_BOT = {**user(100000000000000009, "Helper"), "bot": True}


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def member_payload(who: dict[str, Any], roles: list[int] | None = None) -> dict[str, Any]:
    return {
        "user": who,
        "roles": [str(r) for r in roles or []],
        "nick": None,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


@dataclass
class Call:
    method: str
    path: str
    body: Any
    query: dict[str, str]
    at: float = 0.0  # event-loop time of arrival


@dataclass
class FakeDiscord:
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    forbid_threads: bool = False
    reject_token: bool = False
    identify: dict[str, Any] | None = None
    port: int = 0

    def __post_init__(self) -> None:
        self._counter = itertools.count(1)
        self._seq = 0
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.channels[CHANNEL_ID] = {
            "id": str(CHANNEL_ID),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": "mlops-study",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    # --- server ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)

    # --- gateway --------------------------------------------------------------------------------------

    def guild_payload(self) -> dict[str, Any]:
        everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0}
        admin = {"id": str(ADMIN_ROLE_ID), "name": "Practice Admin", "permissions": "0", "position": 1}
        for role in (everyone, admin):
            role.update(color=0, hoist=False, managed=False, mentionable=False, flags=0)
        return {
            "id": str(GUILD_ID),
            "name": "Study Group",
            "icon": None,
            "owner_id": str(ALICE["id"]),
            "roles": [everyone, admin],
            "channels": [c for c in self.channels.values() if c.get("type") == 0],
            "threads": [],
            "members": [],
            "member_count": 4,
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
        }

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_json({"op": 11})
            elif frame["op"] == 2:
                self.identify = frame["d"]
                ready = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(APP_ID), "flags": 0},
                    "shard": frame["d"].get("shard", [0, 1]),
                }
                await self.dispatch("READY", ready)
                await self.dispatch("GUILD_CREATE", self.guild_payload())
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._ws is not None, "no gateway connection"
        self._seq += 1
        await self._ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    # --- REST -----------------------------------------------------------------------------------------

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        body = b"" if data is None else json.dumps(data).encode()
        if status == 204:
            return web.Response(status=204)
        return web.Response(status=status, body=body, headers={"Content-Type": "application/json"})

    def _error(self, status: int, code: int, message: str) -> web.Response:
        return self._json({"message": message, "code": code}, status)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.can_read_body:
            if request.content_type.startswith("multipart/"):
                # Messages with files: the JSON rides in `payload_json`, each file in its own part.
                body, files = {}, []
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if part.name == "payload_json":
                        body = json.loads(await part.read())
                    else:
                        files.append({"filename": part.filename, "size": len(await part.read())})
                body["_files"] = files
            else:
                raw = await request.read()
                if request.content_type == "application/json" and raw:
                    body = json.loads(raw)
        arrived = asyncio.get_running_loop().time()
        self.calls.append(Call(request.method, path, body, dict(request.query), arrived))
        parts = path.strip("/").split("/")
        route = (request.method, *parts)
        if self.reject_token:
            return self._error(401, 0, "401: Unauthorized")
        match route:
            case ("GET", "users", "@me"):
                return self._json(BOT_USER)
            case ("GET", "oauth2", "applications", "@me"):
                return self._json(self._app_info())
            case ("GET", "gateway", "bot"):
                limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
                return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
            case ("PUT", "applications", _, *rest):
                guild_id = rest[1] if rest and rest[0] == "guilds" else None
                return self._json([self._registered(c, guild_id) for c in body or []])
            case ("POST", "interactions", interaction_id, _token, "callback"):
                return self._json(self._callback(int(interaction_id), body or {}))
            case ("POST", "webhooks", _app, _token):
                return self._json(
                    self._new_message(CHANNEL_ID, body or {}, flags=(body or {}).get("flags", 0))
                )
            case ("PATCH", "webhooks", _app, _token, "messages", _which):
                return self._json(self._new_message(CHANNEL_ID, body or {}))
            case ("POST", "channels", channel_id, "messages"):
                channel = self.channels.get(int(channel_id))
                if channel is None:
                    return self._error(404, 10003, "Unknown Channel")
                return self._json(self._new_message(int(channel_id), body or {}))
            case ("POST", "channels", channel_id, "messages", message_id, "threads"):
                if self.forbid_threads:
                    return self._error(403, 50013, "Missing Permissions")
                return self._json(await self._new_thread(int(channel_id), int(message_id), body or {}))
            case ("GET", "channels", channel_id, "messages"):
                return self._json(self._history(int(channel_id), request.query))
            case ("GET", "channels", channel_id):
                channel = self.channels.get(int(channel_id))
                return self._json(channel) if channel else self._error(404, 10003, "Unknown Channel")
            case ("POST", "users", "@me", "channels"):
                dm_id = self.snowflake()
                recipient = {
                    "id": str((body or {}).get("recipient_id")),
                    "username": "someone",
                    "discriminator": "0",
                    "avatar": None,
                }
                self.channels[dm_id] = {
                    "id": str(dm_id),
                    "type": 1,
                    "recipients": [recipient],
                    "last_message_id": None,
                }
                return self._json(self.channels[dm_id])
        return self._error(404, 0, f"fake has no route for {request.method} {path}")

    def _app_info(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "practicebot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": ALICE,
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def _registered(self, command: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        return {
            **command,
            "id": str(COMMAND_ID),
            "application_id": str(APP_ID),
            "version": "1",
            **({"guild_id": guild_id} if guild_id else {}),
        }

    def message_payload(
        self,
        channel_id: int,
        author: dict[str, Any],
        content: str = "",
        *,
        message_id: int | None = None,
        embeds: list[Any] | None = None,
        components: list[Any] | None = None,
        flags: int = 0,
        edited: str | None = None,
        with_member: bool = False,
    ) -> dict[str, Any]:
        data = {
            "id": str(message_id or self.snowflake()),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": edited,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "components": components or [],
            "pinned": False,
            "type": 0,
            "flags": flags,
        }
        channel = self.channels.get(channel_id)
        if channel and channel.get("guild_id"):
            data["guild_id"] = channel["guild_id"]
            if with_member:
                data["member"] = member_payload(author)
        return data

    def _new_message(self, channel_id: int, body: dict[str, Any], *, flags: int = 0) -> dict[str, Any]:
        message = self.message_payload(
            channel_id,
            BOT_USER,
            body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=flags,
        )
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def _callback(self, interaction_id: int, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        data = body.get("data") or {}
        out: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(data.get("flags", 0) & 64),
            }
        }
        if kind in (4, 5):
            message = self._new_message(CHANNEL_ID, data, flags=data.get("flags", 0))
            out["interaction"]["response_message_id"] = message["id"]
            out["resource"] = {"type": kind, "message": message}
        else:
            out["resource"] = {"type": kind}
        return out

    async def _new_thread(self, channel_id: int, message_id: int, body: dict[str, Any]) -> dict[str, Any]:
        thread = {
            "id": str(message_id),  # a thread started from a message has that message's id
            "type": 11,
            "guild_id": str(GUILD_ID),
            "parent_id": str(channel_id),
            "owner_id": str(APP_ID),
            "name": body.get("name", ""),
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
        }
        self.channels[message_id] = thread
        if self._ws is not None and not self._ws.closed:
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    def _history(self, channel_id: int, query: Any) -> list[dict[str, Any]]:
        found = sorted(self.messages.get(channel_id, []), key=lambda m: int(m["id"]), reverse=True)
        if "after" in query:
            found = [m for m in found if int(m["id"]) > int(query["after"])]
        if "before" in query:
            found = [m for m in found if int(m["id"]) < int(query["before"])]
        return found[: int(query.get("limit", 50))]

    # --- helpers for tests ----------------------------------------------------------------------------

    def find_calls(self, method: str, path: str, *, prefix: bool = False) -> list[Call]:
        """Calls to exactly `path` (or to any path starting with it)."""
        return [
            c
            for c in self.calls
            if c.method == method and (c.path.startswith(path) if prefix else c.path == path)
        ]

    async def wait_for(self, check: Callable[[], Any], *, timeout: float = 5.0) -> Any:
        """Poll until `check()` is truthy (returned), or fail after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result:
                return result
            if loop.time() > deadline:
                raise AssertionError("timed out waiting for the bot")
            await asyncio.sleep(0.01)

    async def wait_for_call(self, method: str, path: str, *, after: int = 0, prefix: bool = False) -> Call:
        def found() -> Call | None:
            calls = self.calls[after:]
            return next(
                (
                    c
                    for c in calls
                    if c.method == method and (c.path.startswith(path) if prefix else c.path == path)
                ),
                None,
            )

        return await self.wait_for(found)


def interaction_payload(
    interaction_id: int,
    kind: int,
    data: dict[str, Any],
    *,
    channel: dict[str, Any],
    member: dict[str, Any],
    permissions: str = "0",
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload as Discord sends it in a guild (discord.py needs every field here)."""
    return {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "channel_id": channel["id"],
        "channel": channel,
        "member": {**member, "permissions": permissions},
        "data": data,
        "app_permissions": "0",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 8 * 1024 * 1024,
    }
