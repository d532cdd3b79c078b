"""The questions the bot can ask, from the bundled pack and the user's packs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from content.lint import lint_packs
from content.loader import ContentError, LoadedPack, Problem, load_packs
from content.schema import Question


@dataclass(frozen=True)
class SkippedFile:
    """A file left out at start because it has problems (only with strict=False)."""

    file: str
    pack_root: Path
    problems: tuple[Problem, ...]
    whole_pack: bool = False  # the pack.yaml is broken, so none of the pack's questions load

    def __str__(self) -> str:
        what = (
            "content pack skipped (its pack.yaml has a problem)"
            if self.whole_pack
            else "content file skipped"
        )
        more = len(self.problems) - 1
        extra = f" (and {more} more; run `practicebot content lint {self.pack_root}`)" if more else ""
        return f"{what}: {self.problems[0]}{extra}"


class QuestionLibrary:
    def __init__(self, questions: Iterable[Question], *, skipped: Sequence[SkippedFile] = ()) -> None:
        self._questions = sorted(questions, key=lambda q: q.id)
        self._by_id = {q.id: q for q in self._questions}
        self.skipped: tuple[SkippedFile, ...] = tuple(skipped)

    @classmethod
    def load(
        cls, paths: Sequence[Path] = (), *, include_bundled: bool = True, strict: bool = True
    ) -> QuestionLibrary:
        """Load every pack once, at start. Any problem `content lint` would report stops the load when
        `strict`; otherwise each file with a problem is skipped (a broken pack.yaml skips its whole pack),
        listed in `skipped`, and the rest loads. Raises ContentError when no question is left."""
        packs = load_packs(paths, include_bundled=include_bundled)
        problems = lint_packs(packs, terms=False)
        if strict and problems:
            raise ContentError(problems, roots=_roots_with(problems, packs))
        skipped = _skipped_files(packs, problems)
        bad = {s.file for s in skipped}
        bad_packs = {s.pack_root for s in skipped if s.whole_pack}
        library = cls(
            (
                q
                for pack in packs
                if pack.root not in bad_packs
                for q in pack.questions
                if pack.locations[q.id][0] not in bad
            ),
            skipped=skipped,
        )
        if not library.all():
            raise ContentError(problems, roots=_roots_with(problems, packs))
        return library

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def all(self) -> Sequence[Question]:
        return self._questions

    def __len__(self) -> int:
        return len(self._questions)


def _pack_of(file: str, packs: Sequence[LoadedPack]) -> LoadedPack | None:
    path = Path(file)
    for pack in packs:
        if path == pack.root or pack.root in path.parents:
            return pack
    return None


def _roots_with(problems: Sequence[Problem], packs: Sequence[LoadedPack]) -> list[Path]:
    roots: list[Path] = []
    for problem in problems:
        pack = _pack_of(problem.file, packs)
        if pack is not None and pack.root not in roots:
            roots.append(pack.root)
    return roots


def _skipped_files(packs: Sequence[LoadedPack], problems: Sequence[Problem]) -> list[SkippedFile]:
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    skipped = []
    for file, found in by_file.items():
        pack = _pack_of(file, packs)
        root = pack.root if pack else Path(file)
        whole = pack is None or file in (pack.manifest_file, str(pack.root))
        skipped.append(SkippedFile(file, root, tuple(found), whole_pack=whole))
    return skipped
