"""Name-dropping: which words of an answer only sit in a bare list of names ("Git, DVC, MLflow and
Docker", "Kafka -> Flink", one tool per bullet, hashtags), and whether an answer is mostly such lists or
buzzword prose. A list names things; it does not say what to do with them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer_words import WORD, Token, tokens

# An answer with this share of its words in bare lists of names is name-dropping: it shows it knows the
# words, not what to do with them, so it covers no key point. Measured on the development sets (bench/):
# list-style name-drop answers 0.24-0.48; every other answer at most 0.11, every model answer at most 0.18.
NAME_DROP_SHARE = 0.21
# Buzzword prose names ideas without stating any ("we leveraged a holistic observability posture"): an
# answer with this many different stock phrases of corporate filler is name-dropping too. Only phrases
# that carry no MLOps meaning are listed ("embed", "robust", "culture" do).
_FILLER = re.compile(
    r"\b(?:leverag\w*|holistic\w*|synerg\w*|paradigm\w*|empower\w*|posture|best[- ]practices?|"
    r"industry[- ]standard|world[- ]class|cutting[- ]edge|state[- ]of[- ]the[- ]art|game[- ]chang\w*|"
    r"seamless\w*|realign\w*|landscape|journey|mindset|next[- ]level|future[- ]proof\w*|the usual|"
    r"mature teams?|partner(?:ed|ing)? with)\b"
)
FILLER_MIN_PHRASES = 3
# A run of this many comma-separated bare names is a list of names ("Git, DVC, MLflow and Docker").
_LIST_MIN_ITEMS = 3
_LIST_ITEM_MAX_WORDS = 2
_CLAUSE = re.compile(r"[.;:!?()\[\]\n]|\s[-\u2013\u2014]\s")
_LIST_JOINER = re.compile(r"\b(?:and|or|etc)\b")
# Verbs that open an instruction in answers ("compare metrics", "pin versions"); words that more often
# start a name ("log", "test", "load", "stream", "cache") are left out. Kept as text: easier to read.
ACTION_VERBS = frozenset(
    """add alert analyse analyze automate avoid backfill block build cap check clean compare compute
    containerize debug define delete deploy detect document drop enforce ensure estimate evaluate
    export fix freeze investigate isolate keep limit lock measure migrate mirror move notify page pin
    promote prune quantize reduce refactor register reject remove replay reproduce require restrict
    retrain retry revert roll rotate route schedule send ship shift sign start stop store switch
    throttle tie trigger tune use validate verify warm watch write""".split()  # noqa: SIM905
)
_NOT_COUNTED = frozenset(["a", "an", "the", "and", "or"])  # words that do not make a name longer
_NUMBER = re.compile(r"[~$\u20ac\u00a3]?\d[\d.,]*(?:%|x|k|m|ms|s)?\.?")  # a figure: "5", "25%", "$60k"
# Other ways chat writes a list of names: "Kafka -> Flink -> Redis", "Airflow/MLflow/K8s", "DVC + MLflow",
# "A | B", and hashtags.
# Three or more names joined by a separator are a list whatever follows the last one; a pair ("a/b test",
# "CI/CD") is one thing.
_ITEM = r"[a-z0-9][\w.-]*(?: [a-z0-9][\w.-]*)?"
_SEPARATED = re.compile(rf"{_ITEM}(?:(?:\s*(?:->|\u2192|=>|\|)\s*|\s\+\s|/){_ITEM}){{2,}}")
_SEPARATOR = re.compile(r"\s*(?:->|\u2192|=>|\|)\s*|\s\+\s|/")
_HASHTAG = re.compile(r"(?<![\w#])#([a-z][\w-]*)")
# Line breaks, bullets (also as they survive in one line: " - ", " * ", " \u2022 ") and sentence ends.
_LINE = re.compile(r"(\n+|(?:^|\s)[-*\u2022](?=\s)|(?<=[.!?])\s+)")
_BULLETS = ("-", "*", "\u2022")
_BULLET_ITEM_MAX_WORDS = 4


def split_listed(text: str) -> tuple[list[Token], set[int]]:
    """The answer's tokens, and the positions of those that only sit in a bare list of names."""
    toks: list[Token] = []
    listed: set[int] = set()
    for clause in _CLAUSE.split(_join_bare_lines(_HASHTAG.sub(r", \1,", text.lower()))):
        run: list[int] = []  # token positions of consecutive comma-separated bare names
        names = 0
        clause = _SEPARATED.sub(lambda chain: _SEPARATOR.sub(", ", chain[0]) + ",", clause)
        for part in clause.split(","):
            texts = _LIST_JOINER.split(part)
            pieces = [tokens(piece) for piece in texts]
            part_tokens = [token for piece in pieces for token in piece]
            bare = [_is_bare_name(piece) for piece in texts]
            if all(bare):
                run.extend(range(len(toks), len(toks) + len(part_tokens)))
                names += sum(1 for piece in pieces if piece)
            else:
                if names >= _LIST_MIN_ITEMS:
                    listed.update(run)
                # The last word before a list's first comma is usually its first item ("use Git, ...");
                # it joins the list without counting towards its length.
                run, names = [len(toks) + len(part_tokens) - 1] if part_tokens else [], 0
                listed.update(_and_chains(pieces, bare, len(toks)))
            toks.extend(part_tokens)
        if names >= _LIST_MIN_ITEMS:
            listed.update(run)
    return toks, listed


# An answer of nothing but short lines of names ("Feast / Tecton\npoint-in-time joins\nleakage, freshness"),
# or of one or two long ones, says nothing about what to do, whatever the separators between the names.
_LINE_ITEMS = re.compile(r"\s*(?:,|/|\||->|\u2192|\s\+\s|\s&\s|\bvs\.?\s|\band\b|\bor\b)\s*")
_ONLY_NAMES_MIN_LINES = 3
_LINE_ITEM_MAX_WORDS = 3
# Or one or two long lines of them ("hypothesis / primary metric / guardrails / power analysis + MDE / ...").
# Measured on the development sets (stop 21): 8 false positives fewer, no true positive lost (5 to 8
# items, names of 4 to 5 words alike).
_ONLY_NAMES_MIN_ITEMS = 6
_ONLY_NAMES_ITEM_MAX_WORDS = 4
_CITATION = re.compile(r"\bet al\.")


def only_names(text: str) -> bool:
    lines = [line.strip().lstrip("".join(_BULLETS)).strip().rstrip(".;") for line in text.splitlines()]
    lines = [_CITATION.sub("", line) for line in lines if WORD.search(line.lower())]
    if not lines:
        return False
    few = len(lines) < _ONLY_NAMES_MIN_LINES
    count = 0
    for line in lines:
        if re.search(r"[.;:!?]", line):
            return False
        items = [item for item in _LINE_ITEMS.split(line.lower()) if item and item.strip()]
        limit = _ONLY_NAMES_ITEM_MAX_WORDS if few else _LINE_ITEM_MAX_WORDS
        if not all(_is_bare_name(item, limit) for item in items):
            return False
        count += len(items)
    return not few or count >= _ONLY_NAMES_MIN_ITEMS


def filler_phrases(text: str) -> int:
    """How many different stock phrases of corporate filler the text uses."""
    return len({phrase.replace("-", " ") for phrase in _FILLER.findall(text.lower())})


def _and_chains(pieces: Sequence[Sequence[Token]], bare: Sequence[bool], start: int) -> set[int]:
    """Token positions of names chained by "and" alone ("with Datadog and Grafana and Evidently and ..."):
    two or more bare names in a row, with the last word before them and the first word after them."""
    offsets = [start]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    chained: set[int] = set()
    i = 1
    while i < len(pieces):
        j = i
        while j < len(pieces) and bare[j] and pieces[j]:
            j += 1
        if j - i >= 2:
            first = offsets[i] - 1 if pieces[i - 1] else offsets[i]
            last = offsets[j] + 1 if j < len(pieces) and pieces[j] else offsets[j]
            chained.update(range(first, last))
        i = j + 1
    return chained


def _is_bare_name(piece: str, max_words: int = _LIST_ITEM_MAX_WORDS) -> bool:
    """Whether a list item only names a thing ("remote state", "the registry"), in at most two words; a
    hyphenated compound is one word ("position-bias models"). An item led by a verb says what to do
    ("compare metrics", "- roll back fast") and is not a name."""
    words = [w for w in piece.split() if WORD.search(w) and w not in _NOT_COUNTED]
    if len(words) > 1 and words[0].strip("*_`'\"") in ACTION_VERBS:
        return False
    # Numbers are steps or figures, not names ("1 percent, then 5, 25, 100").
    if words and all(_NUMBER.fullmatch(w) for w in words):
        return False
    return len(words) <= max_words


def _join_bare_lines(text: str) -> str:
    """One name per line or per bullet is a list too: consecutive lines that only name something are
    joined with commas, so the comma rule reads them ("- Kafka\n- Flink\n- Redis"). A bullet may name a
    thing in up to four words ("- AWS Cost Explorer and Kubecost"); its words are bound into one name."""
    segments = _LINE.split(text)
    out: list[str] = []
    last_named = False  # whether out[-1] is a run of names that the next name may join
    for index in range(0, len(segments), 2):
        raw = segments[index].strip()
        bullet = (index > 0 and segments[index - 1].strip() in _BULLETS) or raw[:1] in _BULLETS
        line = raw.lstrip("".join(_BULLETS)).strip()
        bare = line.rstrip(".;!")
        limit = _BULLET_ITEM_MAX_WORDS if bullet else _LIST_ITEM_MAX_WORDS
        named = bool(WORD.search(bare)) and _is_bare_name(bare, limit) and not _CLAUSE.search(bare)
        if named:
            line = "-".join(bare.split()) if bullet else bare
        if named and last_named:
            out[-1] = f"{out[-1]}, {line}"
        else:
            out.append(line)
        last_named = named
    return "\n".join(out)
