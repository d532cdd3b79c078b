"""The app manifest asks for exactly what the bot uses, and points every URL at the one endpoint."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.app import COMMAND
from adapters.slack.server import EVENTS_PATH

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = yaml.safe_load((ROOT / "adapters" / "slack" / "manifest.yaml").read_text())


def test_exactly_the_scopes_the_bot_needs():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(
        [
            "commands",
            "chat:write",
            "channels:history",
            "groups:history",
            "reactions:read",
            "app_mentions:read",
            "users:read",
        ]
    )
    assert "user" not in MANIFEST["oauth_config"]["scopes"]


def test_slash_command_events_and_interactivity_share_the_events_endpoint():
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["should_escape"] is True  # mentions arrive as ids
    settings = MANIFEST["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == sorted(
        [
            "message.channels",
            "message.groups",
            "reaction_added",
            "reaction_removed",
            "app_mention",
            "app_uninstalled",  # the workspace removed the app: its channels stop getting posts
            "tokens_revoked",
        ]
    )
    assert settings["interactivity"]["is_enabled"] is True
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
    assert len(set(urls)) == 1


def test_the_install_guide_covers_both_modes():
    guide = (ROOT / "docs" / "slack.md").read_text()
    for needed in (
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "connections:write",
        "manifest.yaml",
        "/healthz",
    ):
        assert needed in guide
