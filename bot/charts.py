"""Leaderboard bar chart as PNG bytes (matplotlib, headless). Platforms that accept files attach it."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.domain import LeaderboardRow


def leaderboard_png(rows: Sequence[LeaderboardRow], title: str) -> bytes:
    # Imported here: matplotlib takes ~0.3 s to import and only leaderboards need it.
    import matplotlib

    matplotlib.use("Agg")  # no display; must be set before pyplot is imported
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    names = [f"{r.rank}. {r.member.label}" for r in rows][::-1]  # best at the top
    points = [r.points for r in rows][::-1]
    height = 1.2 + 0.45 * max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(7, height), dpi=100)
    try:
        # Numeric positions with explicit labels: matplotlib's category axis would try to parse labels such
        # as "1. 100000000000000002" as numbers or dates.
        positions = list(range(len(names)))
        bars = ax.barh(positions, points, color="#4c72b0")
        ax.set_yticks(positions, labels=names)
        ax.bar_label(bars, padding=3)
        ax.set_title(title, loc="left")
        ax.set_xlabel("points")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.12)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(fig)
