"""The real Discord adapter (discord.py) wired to the fake Discord and the core engine, plus helpers that read
like a chat: run a command, click a button, type in a thread, react."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
from fake_discord import (
    ALICE,
    APP_ID,
    CHANNEL_ID,
    COMMAND_ID,
    GUILD_ID,
    Call,
    FakeDiscord,
    interaction_payload,
    member_payload,
)
from sqlalchemy import Engine as DbEngine

from adapters.discord.client import DiscordAdapter
from bot.domain import ChannelRef, Platform, Round
from bot.engine import Engine
from bot.ports import FixedClock
from bot.settings import Settings
from content.library import QuestionLibrary
from storage.repository import SqlUnitOfWork

CHANNEL = ChannelRef(platform=Platform.DISCORD, workspace_id=str(GUILD_ID), channel_id=str(CHANNEL_ID))
EPHEMERAL = 64
MANAGE_GUILD = str(1 << 5)


@dataclass
class DiscordBot:
    fake: FakeDiscord
    adapter: DiscordAdapter
    engine: Engine

    # --- interactions ---------------------------------------------------------------------------------

    def interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        who: dict[str, Any] = ALICE,
        roles: tuple[int, ...] = (),
        permissions: str = "0",
        channel_id: int = CHANNEL_ID,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload = interaction_payload(
            self.fake.snowflake(),
            kind,
            data,
            channel=self.fake.channels[channel_id],
            member=member_payload(who, list(roles)),
            permissions=permissions,
        )
        if message is not None:
            payload["message"] = message
        return payload

    async def interact(self, payload: dict[str, Any]) -> Call:
        """Send an INTERACTION_CREATE; return the interaction callback the bot made."""
        before = len(self.fake.calls)
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        return await self.fake.wait_for_call(
            "POST", f"/interactions/{payload['id']}/", after=before, prefix=True
        )

    async def command(self, sub: str, options: dict[str, Any] | None = None, **who: Any) -> Call:
        string_options = [
            {"name": name, "type": 6 if name == "member" else 3, "value": str(value)}
            for name, value in (options or {}).items()
        ]
        data = {
            "id": str(COMMAND_ID),
            "name": "practice",
            "type": 1,
            "guild_id": str(GUILD_ID),
            "options": [{"name": sub, "type": 1, "options": string_options}],
        }
        return await self.interact(self.interaction_payload(2, data, **who))

    async def click(self, message: dict[str, Any], custom_id: str, **who: Any) -> Call:
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.interact(self.interaction_payload(3, data, message=message, **who))

    async def submit_modal(self, modal: dict[str, Any], text: str, **who: Any) -> Call:
        """Fill the one text input of a modal the bot opened (the callback's data) and submit it."""
        rows = []
        for row in modal["components"]:
            inner = row.get("components") or [row.get("component")]
            rows.append(
                {
                    "type": row["type"],
                    "components": [{"type": 4, "custom_id": c["custom_id"], "value": text} for c in inner],
                }
            )
        data = {"custom_id": modal["custom_id"], "components": rows}
        return await self.interact(self.interaction_payload(5, data, **who))

    async def followups(self, interaction: Call, count: int = 1) -> list[Call]:
        """Follow-up messages sent with an interaction's token."""
        token = interaction.path.split("/")[3]

        def found() -> list[Call]:
            calls = self.fake.find_calls("POST", f"/webhooks/{APP_ID}/{token}")
            return calls if len(calls) >= count else []

        return await self.fake.wait_for(found)

    # --- gateway events -------------------------------------------------------------------------------

    async def say_in_thread(self, thread_id: int, who: dict[str, Any], content: str) -> dict[str, Any]:
        message = self.fake.message_payload(thread_id, who, content, with_member=True)
        self.fake.messages.setdefault(thread_id, []).append(message)
        await self.fake.dispatch("MESSAGE_CREATE", message)
        return message

    # --- the core's view ------------------------------------------------------------------------------

    def round(self, round_id: int = 1) -> Round:
        with self.engine.uow() as store:
            found = store.round(round_id)
        assert found is not None
        return found

    def answers(self, round_id: int = 1) -> dict[str, str]:
        with self.engine.uow() as store:
            return {a.member.label: a.text for a in store.answers(round_id)}

    async def until(self, check: Callable[[], Any]) -> Any:
        return await self.fake.wait_for(check)


def embeds_text(body: dict[str, Any]) -> str:
    """Everything a reader sees in a message body's embeds (or content), for assertions."""
    data = body.get("data", body)
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for f in embed.get("fields", []):
            parts += [f["name"], f["value"]]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def custom_ids(body: dict[str, Any]) -> list[str]:
    data = body.get("data", body)
    return [c["custom_id"] for row in data.get("components") or [] for c in row.get("components", [])]


MakeBot = Callable[..., Awaitable[DiscordBot]]


@pytest.fixture
async def make_bot(
    memory_db: DbEngine, mini_library: QuestionLibrary, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MakeBot]:
    """Start the adapter against a fresh fake Discord: `bot = await make_bot(**settings_overrides)`."""
    monkeypatch.setattr(Route, "BASE", Route.BASE)  # the adapter changes it; restored after the test
    started: list[tuple[FakeDiscord, DiscordAdapter]] = []

    async def make(*, start: bool = True, client_options: dict[str, Any] | None = None, **overrides: Any):
        fake = FakeDiscord()
        await fake.start()
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
        values: dict[str, Any] = {
            "discord_token": "fake-token",
            "discord_api_url": fake.api_url,
            "discord_guild_ids": (GUILD_ID,),
            "discord_message_content": True,
            "discord_admin_role": "Practice Admin",
            "admins": (),
        }
        settings = Settings(**(values | overrides))
        options = {"guild_ready_timeout": 0.01} | (client_options or {})
        adapter = DiscordAdapter(settings, **options)
        started.append((fake, adapter))
        engine = Engine(
            uow=SqlUnitOfWork(memory_db), questions=mini_library, clock=clock, chat={"discord": adapter.chat}
        )
        if start:
            await adapter.start(engine)
        return DiscordBot(fake=fake, adapter=adapter, engine=engine)

    yield make
    for fake, adapter in started:
        await adapter.stop()
        await fake.stop()
