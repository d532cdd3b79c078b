"""The one place that wires real (or fake) ports into the engine."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import SQLAlchemyError

from bot.coverage import vocabulary
from bot.daily import DailyRounds
from bot.engine import Engine, EngineConfig
from bot.grading import Grader, LexicalGrader
from bot.ports import ChatPort, Clock, SystemClock
from bot.scoring import ScoringRules
from bot.settings import ConfigError, Settings
from content.library import QuestionLibrary
from content.loader import ContentError, split_paths
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork

log = logging.getLogger("practicebot.content")


@dataclass
class App:
    settings: Settings
    engine: Engine
    db: DbEngine
    library: QuestionLibrary
    uow: SqlUnitOfWork

    def daily_rounds(self) -> DailyRounds:
        """The daily question's delivery, with this deployment's concurrency per platform."""
        concurrency = {
            "slack": self.settings.slack_delivery_concurrency,
            "discord": self.settings.discord_delivery_concurrency,
        }
        return DailyRounds(self.engine, concurrency=concurrency)

    def close(self) -> None:
        """Let the database threads finish, then close the connections."""
        self.uow.close()
        self.db.dispose()


def load_library(settings: Settings) -> QuestionLibrary:
    """Load the packs once, at start. Strict: any problem stops the start with one line naming file, line
    and field. Not strict: broken files are skipped with a warning each and the rest loads."""
    paths = split_paths(settings.content_paths)
    try:
        library = QuestionLibrary.load(
            paths, include_bundled=settings.bundled_content, strict=settings.content_strict
        )
    except ContentError as exc:
        if not exc.problems:
            raise ConfigError(
                "PRACTICEBOT_CONTENT_PATHS: no questions found (and the bundled pack is off)"
            ) from None
        first = exc.problems[0]
        where = " ".join(str(root) for root in exc.roots) or "PATH"
        more = (
            f" (and {len(exc.problems) - 1} more; `practicebot content lint {where}` lists them all)"
            if len(exc.problems) > 1
            else ""
        )
        remedy = (
            "; fix it, or set PRACTICEBOT_CONTENT_STRICT=false to skip broken files"
            if settings.content_strict
            else "; no question is left after skipping the broken files"
        )
        raise ConfigError(f"PRACTICEBOT_CONTENT_PATHS: {first}{more}{remedy}") from None
    for skipped in library.skipped:
        log.warning(str(skipped))
    return library


def open_database(settings: Settings, *, migrate: bool = True, schema: str | None = None) -> DbEngine:
    db = make_engine(settings.database_url, schema=schema, hide_parameters=not settings.log_sql_parameters)
    try:
        if migrate:
            upgrade(db)
        else:
            with db.connect():
                pass
    except SQLAlchemyError as exc:
        db.dispose()
        reason = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        reason = reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
        raise ConfigError(f"PRACTICEBOT_DATABASE_URL: cannot open the database: {reason}") from None
    return db


def build_grader(settings: Settings, library: QuestionLibrary) -> Grader:
    """The default grader, or a model endpoint's with the default one behind it (PRACTICEBOT_GRADER)."""
    fallback = LexicalGrader(vocabulary(library.all()))
    if settings.grader != "llm":
        return fallback
    from adapters.llm.grader import LLMGrader  # the openai client loads only when a model is configured

    return LLMGrader(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        timeout=settings.llm_timeout_seconds,
        concurrency=settings.llm_concurrency,
        fallback=fallback,
    )


def build_app(
    settings: Settings,
    *,
    chat: Mapping[str, ChatPort],
    clock: Clock | None = None,
    library: QuestionLibrary | None = None,
    db: DbEngine | None = None,
) -> App:
    library = library or load_library(settings)
    db = db or open_database(settings)
    uow = SqlUnitOfWork(db)
    config = EngineConfig(
        answer_max_chars=settings.answer_max_chars,
        charts=settings.leaderboard_chart,
        default_timezone=settings.default_timezone,
        default_time=settings.default_time,
        scoring=ScoringRules(
            answered=settings.points_answered,
            coverage_max=settings.points_coverage,
            per_vote=settings.points_per_vote,
            votes_cap=settings.points_votes_cap,
            streak_bonus=settings.points_streak_bonus,
        ),
    )
    engine = Engine(
        uow=uow,
        questions=library,
        clock=clock or SystemClock(),
        chat=chat,
        config=config,
        grader=build_grader(settings, library),
    )
    return App(settings=settings, engine=engine, db=db, library=library, uow=uow)
