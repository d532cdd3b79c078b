"""Structured log lines: `time level logger message key=value ...`. Never tokens, never answer texts."""

from __future__ import annotations

import logging
import sys

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        base = f"{when} {record.levelname} {record.name} {record.getMessage()}"
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        line = f"{base} {extras}" if extras else base
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _not_voice_notice(record: logging.LogRecord) -> bool:
    """discord.py warns at every start that voice libraries are missing; this bot never uses voice."""
    return "voice will NOT be supported" not in record.getMessage()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter (SQL, HTTP) only when asked for.
    for noisy in ("sqlalchemy", "alembic", "aiohttp", "discord", "slack_bolt", "slack_sdk", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("discord.client").addFilter(_not_voice_notice)
    # The model grader's client logs each retry at INFO with the endpoint's URL: WARNING says it already.
    logging.getLogger("openai").setLevel(max(logging.WARNING, logging.getLevelName(level)))
