"""The Slack adapter: slash command, buttons, modal, thread answers, reactions; HTTP or Socket Mode.

slack_bolt and slack_sdk are imported only when `create_adapter` runs (Slack is configured).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter
    from bot.settings import Settings


def create_adapter(settings: Settings) -> SlackAdapter:
    from adapters.slack.adapter import create_adapter as create

    return create(settings)
