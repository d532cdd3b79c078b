"""`practicebot content ...`: lint, stats and import of question packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.questions import Difficulty
from bot.settings import ConfigError, load_settings

content_app = typer.Typer(no_args_is_help=True, help="Question packs.")


# `table` is still taken: it was this option's name for the text output before 0.2.
FORMATS = ("text", "table", "json")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@content_app.command("lint")
def content_lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PACK_FOLDER]...", help="pack folders (default: the bundled packs)"),
    ] = None,
) -> None:
    """Check packs and report every problem as file:line: field: message (exit 1 on any)."""
    from content.lint import lint_paths

    problems, count = lint_paths(paths or [])
    for problem in problems:
        typer.echo(str(problem))
    summary = f"{plural(count, 'question')} checked, {plural(len(problems), 'problem')}"
    typer.echo(summary, err=True)
    raise typer.Exit(1 if problems else 0)


@content_app.command("list")
def content_list(
    pack: Annotated[str | None, typer.Option("--pack", metavar="NAME", help="only this pack")] = None,
    category: Annotated[
        str | None, typer.Option("--category", metavar="CATEGORY", help="only this category")
    ] = None,
    difficulty: Annotated[
        str | None, typer.Option("--difficulty", metavar="DIFFICULTY", help="only this difficulty")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", metavar="text|json", help="a table to read, or JSON")
    ] = "text",
) -> None:
    """Every question id with its pack, category, difficulty and question (for `practicebot grade ID`)."""
    from bot.commands import CATEGORY_ALIASES, DIFFICULTY_ALIASES, did_you_mean
    from practicebot.bootstrap import load_library

    if format not in FORMATS:
        raise ConfigError("--format: use text or json")
    library = load_library(load_settings())
    packs = sorted({q.pack for q in library.all()})
    if pack is not None and pack not in packs:
        raise ConfigError(f"--pack: no pack '{pack}'{did_you_mean(pack, packs)}; loaded: {', '.join(packs)}")
    wanted_category = CATEGORY_ALIASES.get(category.lower()) if category else None
    if category and wanted_category is None:
        raise ConfigError(
            f"--category: '{category}' is not a category{did_you_mean(category, CATEGORY_ALIASES)}"
        )
    wanted_difficulty = DIFFICULTY_ALIASES.get(difficulty.lower()) if difficulty else None
    if difficulty and wanted_difficulty is None:
        raise ConfigError(f"--difficulty: '{difficulty}' is not a difficulty (easy, medium, hard)")
    chosen = [
        q
        for q in library.all()
        if (pack is None or q.pack == pack)
        and (wanted_category is None or q.category is wanted_category)
        and (wanted_difficulty is None or q.difficulty is wanted_difficulty)
    ]
    if format == "json":
        rows = [
            {
                "id": q.id,
                "pack": q.pack,
                "category": q.category.value,
                "difficulty": q.difficulty.value,
                "question": q.question,
            }
            for q in chosen
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=plural(len(chosen), "question"))
    for column in ("id", "pack", "category", "difficulty", "question"):
        table.add_column(column, overflow="fold")
    for q in chosen:
        table.add_row(q.id, q.pack, q.category.value, q.difficulty.value, q.question)
    Console().print(table)


@content_app.command("stats")
def content_stats(
    format: Annotated[
        str, typer.Option("--format", metavar="text|json", help="a table to read, or JSON")
    ] = "text",
) -> None:
    """Questions per pack, category and difficulty."""
    from practicebot.bootstrap import load_library

    settings = load_settings()
    library = load_library(settings)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for q in library.all():
        by_cat = counts.setdefault(q.pack, {}).setdefault(q.category.value, {})
        by_cat[q.difficulty.value] = by_cat.get(q.difficulty.value, 0) + 1
    if format == "json":
        typer.echo(json.dumps({"total": len(library), "packs": counts}, indent=2, sort_keys=True))
        return
    if format not in FORMATS:
        raise ConfigError("--format: use text or json")
    table = Table(title=plural(len(library), "question"))
    levels = [d.value for d in Difficulty]
    for column in ("pack", "category", *levels, "total"):
        table.add_column(column)
    for pack, cats in sorted(counts.items()):
        for cat, diffs in sorted(cats.items()):
            row = [diffs.get(d, 0) for d in levels]
            table.add_row(pack, cat, *map(str, row), str(sum(row)))
    Console().print(table)


@content_app.command("import")
def content_import(
    source: Annotated[
        Path, typer.Argument(metavar="FILE", help="a .csv spreadsheet or a .md list of questions")
    ],
    pack: Annotated[
        Path, typer.Option("--pack", metavar="FOLDER", help="pack folder to write into (created if missing)")
    ],
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing questions file")] = False,
    license: Annotated[
        str | None,
        typer.Option("--license", metavar="SPDX", help="license of a new pack.yaml, e.g. CC-BY-4.0"),
    ] = None,
) -> None:
    """Turn a spreadsheet (CSV) or a Markdown list of questions into a pack skeleton, then lint it."""
    from rich.progress import Progress

    from content.importer import ImportFailed, ImportRefused, run_import
    from content.lint import lint_paths

    err = Console(stderr=True)
    try:
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task(f"importing {source.name}", total=None)
            report = run_import(
                source,
                pack,
                force=force,
                license=license,
                on_row=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except ImportFailed as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"nothing written: fix {source} and run the import again", err=True)
        raise typer.Exit(1) from None
    except ImportRefused as exc:
        typer.echo(f"practicebot: {exc}", err=True)
        raise typer.Exit(1) from None
    for path in report.written:
        typer.echo(f"wrote {path}")
    for path in report.kept:
        typer.echo(f"kept {path} (an existing pack.yaml is never replaced)")
    problems, _ = lint_paths([pack])
    typer.echo(
        f"{plural(report.questions, 'question')} imported, "
        f"{plural(report.placeholders, 'TODO placeholder')} to fill in"
    )
    for problem in problems[:10]:
        typer.echo(f"  {problem}")
    if len(problems) > 10:
        typer.echo(
            f"lint: {len(problems)} problems ({len(problems) - 10} not shown); "
            f"`practicebot content lint {pack}` lists them all"
        )
    elif problems:
        typer.echo(
            f"lint: {len(problems)} problems; fix them, then check with `practicebot content lint {pack}`"
        )
    else:
        typer.echo(f"lint: 0 problems; add {pack} to PRACTICEBOT_CONTENT_PATHS to use it")
