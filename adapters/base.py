"""What the service runner (`practicebot run`, `practicebot tick`) needs from a platform adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.ports import ChatPort


class PlatformAdapter(Protocol):
    """Built from Settings before the engine exists (the engine needs `chat`), then started with it.

    `chat` must work without `start()`: `practicebot tick` delivers through the platform API only.
    `start()` returns once the adapter is listening; `stop()` closes connections cleanly.
    """

    name: str
    chat: ChatPort

    async def start(self, engine: Engine) -> None: ...

    async def stop(self) -> None: ...
