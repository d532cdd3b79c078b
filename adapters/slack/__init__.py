"""The Slack adapter (in progress: see its issue)."""

from __future__ import annotations

from typing import NoReturn

from bot.settings import ConfigError, Settings


def create_adapter(settings: Settings) -> NoReturn:
    raise ConfigError(
        "SLACK_BOT_TOKEN: the Slack adapter is not part of this build yet; unset it to use the console"
    )
