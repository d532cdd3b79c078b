"""Configuration from the environment (prefix PRACTICEBOT_; Slack and Discord keep their usual names)."""

from __future__ import annotations

import getpass
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.questions import Category


class ConfigError(Exception):
    """A setting is wrong; the message names the environment variable and what is expected."""


def _default_console_user() -> str:
    try:
        return getpass.getuser() or "you"
    except (KeyError, OSError):
        return "you"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRACTICEBOT_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default="sqlite:///practicebot.db", description="SQLAlchemy URL of the database"
    )
    content_paths: str = Field(
        default="", description="extra pack folders, separated by ':' (';' on Windows)"
    )
    bundled_content: bool = Field(default=True, description="load the bundled MLOps pack")
    content_strict: bool = Field(
        default=True,
        description="a pack problem stops the start (true) or only skips the broken file with a warning",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_sql_parameters: bool = Field(
        default=False,
        description="show statement parameters (answer texts among them) in SQL logs and errors",
    )
    admins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="comma-separated user ids allowed to change channel settings"
    )
    default_timezone: str = Field(default="UTC", description="IANA time zone of new channels")
    default_time: str = Field(default="09:00", description="local post time of new channels' daily question")
    points_answered: int = Field(default=2, ge=0, description="points for answering before the reveal")
    points_coverage: int = Field(
        default=5, ge=0, description="points for covering every key point (pro rata)"
    )
    points_per_vote: int = Field(default=1, ge=0, description="points per peer vote on an answer")
    points_votes_cap: int = Field(default=3, ge=0, description="most vote points per answer")
    points_streak_bonus: int = Field(default=5, ge=0, description="points at a daily-streak milestone")
    leaderboard_chart: bool = Field(
        default=True, description="attach a bar chart to leaderboards (Discord, console)"
    )
    answer_max_chars: int = Field(default=4000, ge=100, le=40_000, description="longer answers are truncated")
    console_user: str = Field(default_factory=_default_console_user, description="who you are in the console")
    console_channel: str = Field(default="practice", description="the console's channel name")
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "PRACTICEBOT_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "PRACTICEBOT_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "PRACTICEBOT_SLACK_APP_TOKEN")
    )
    slack_vote_reactions: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("+1", "thumbsup"), description="comma-separated reaction names that count as votes on Slack"
    )
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL")
    http_host: str = Field(default="0.0.0.0", description="address of the Slack HTTP endpoint")
    http_port: int = Field(default=3000, ge=1, le=65535, description="port of the Slack HTTP endpoint")
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "PRACTICEBOT_DISCORD_TOKEN")
    )
    discord_message_content: bool = Field(
        default=False, description="read thread replies (privileged intent)"
    )
    discord_guild_ids: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(), description="comma-separated guild ids for instant command sync (development)"
    )
    discord_admin_role: str = Field(default="", description="role allowed to change channel settings")
    discord_shard_count: int | None = Field(default=None, ge=1, description="total shards across replicas")
    discord_shard_ids: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(), description="comma-separated shard ids this replica runs"
    )
    discord_api_url: str = Field(default="", description="Discord REST base URL override (proxies, tests)")
    slack_delivery_concurrency: int = Field(
        default=20, ge=1, le=200, description="daily posts and reveals sent to Slack at once by this replica"
    )
    discord_delivery_concurrency: int = Field(
        default=10,
        ge=1,
        le=100,
        description="daily posts and reveals sent to Discord at once by this replica",
    )
    grader: Literal["lexical", "llm"] = Field(
        default="lexical",
        description="who grades answers: lexical (on this machine) or llm (the endpoint below)",
    )
    llm_base_url: str = Field(
        default="", description="OpenAI-compatible API base, e.g. http://localhost:11434/v1 (Ollama)"
    )
    llm_model: str = Field(default="", description="model name the endpoint serves, e.g. qwen2.5:14b")
    llm_api_key: SecretStr | None = Field(default=None, description="sent as the bearer token, if set")
    llm_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="longest wait for one grade, retry included"
    )
    llm_concurrency: int = Field(default=4, ge=1, le=64, description="answers graded by the model at once")
    discord_requests_per_second: float = Field(
        default=40.0,
        gt=0,
        le=50,
        description="REST calls per second this replica makes for deliveries (Discord allows 50 per bot)",
    )

    @field_validator(
        "admins", "discord_guild_ids", "discord_shard_ids", "slack_vote_reactions", mode="before"
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            # ":fire:, star" -> ("fire", "star"): reaction names are accepted with or without colons
            return tuple(v.strip().strip(":") for v in value.split(",") if v.strip().strip(":"))
        return value

    @field_validator("database_url")
    @classmethod
    def _url_parses(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL ({exc}); e.g. sqlite:///practicebot.db") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"backend '{url.get_backend_name()}' is not supported; use sqlite or postgresql")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone, e.g. Europe/Berlin") from None
        return value

    @field_validator("default_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        from bot.commands import parse_time

        parsed = parse_time(value)
        if parsed is None:
            raise ValueError(f"'{value}' is not a 24-hour HH:MM time")
        return parsed

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _llm_needs_endpoint(self) -> Settings:
        if self.grader == "llm":
            missing = [
                n for n, v in (("llm_base_url", self.llm_base_url), ("llm_model", self.llm_model)) if not v
            ]
            if missing:
                raise ValueError(
                    "PRACTICEBOT_GRADER=llm needs "
                    + " and ".join(f"PRACTICEBOT_{m.upper()}" for m in missing)
                    + " (e.g. http://localhost:11434/v1 and a model name)"
                )
        return self

    @property
    def platforms_configured(self) -> list[str]:
        return [
            name
            for name, token in (("slack", self.slack_bot_token), ("discord", self.discord_token))
            if token
        ]


ALL_CATEGORIES = tuple(c.value for c in Category)


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"PRACTICEBOT_{field.upper()}"


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises ConfigError naming the variable, never a pydantic traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            if not err["loc"]:  # a rule across settings: its message names the variables
                lines.append(message)
                continue
            field = str(err["loc"][0])
            name = env_name(field) if field in Settings.model_fields else field
            lines.append(f"{name}: {message}")
        raise ConfigError("; ".join(lines)) from None
