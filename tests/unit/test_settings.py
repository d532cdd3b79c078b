"""Configuration: defaults, and one clear line naming the variable when a value is wrong."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PRACTICEBOT_DATABASE_URL", "SLACK_BOT_TOKEN", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///practicebot.db"
    assert settings.bundled_content is True
    assert settings.platforms_configured == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PRACTICEBOT_DATABASE_URL", "not a url", "PRACTICEBOT_DATABASE_URL: not a database URL"),
        (
            "PRACTICEBOT_DATABASE_URL",
            "mysql://x/y",
            "PRACTICEBOT_DATABASE_URL: backend 'mysql' is not supported",
        ),
        (
            "PRACTICEBOT_DEFAULT_TIMEZONE",
            "Moon/Base",
            "PRACTICEBOT_DEFAULT_TIMEZONE: 'Moon/Base' is not an IANA",
        ),
        ("PRACTICEBOT_DEFAULT_TIME", "9am", "PRACTICEBOT_DEFAULT_TIME: '9am' is not a 24-hour"),
        ("PRACTICEBOT_ANSWER_MAX_CHARS", "ten", "PRACTICEBOT_ANSWER_MAX_CHARS:"),
        ("PRACTICEBOT_BUNDLED_CONTENT", "perhaps", "PRACTICEBOT_BUNDLED_CONTENT:"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)


def test_tokens_are_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    settings = load_settings()
    assert settings.platforms_configured == ["slack"]
    assert "xoxb-very-secret" not in repr(settings)


def test_slack_vote_reactions_reach_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.slack import create_adapter

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("PRACTICEBOT_SLACK_VOTE_REACTIONS", ":fire:, star")
    settings = load_settings()
    assert settings.slack_vote_reactions == ("fire", "star")
    assert create_adapter(settings).vote_reactions == {"fire", "star"}
