"""Who may change a channel's settings on Slack: workspace admins and owners (users.info), plus the user ids
in PRACTICEBOT_ADMINS. Answers are cached briefly so a burst of commands costs one lookup."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import MemberRef

log = logging.getLogger("practicebot.slack")

CACHE_SECONDS = 60.0
_ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")


class AdminCheck:
    def __init__(
        self,
        client: AsyncWebClient,
        admins: Iterable[str] = (),
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.admins = frozenset(admins)
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[bool, float]] = {}

    async def is_admin(self, member: MemberRef) -> bool:
        if member.user_id in self.admins:
            return True
        key = (member.workspace_id, member.user_id)
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            response = await self.client.users_info(user=member.user_id)
        except SlackApiError as exc:  # not cached: the next command asks again
            log.warning("users.info failed", extra={"error": exc.response.get("error")})
            return False
        user = response.get("user") or {}
        allowed = any(bool(user.get(flag)) for flag in _ADMIN_FLAGS)
        self._cache[key] = (allowed, now + self.ttl)
        return allowed
