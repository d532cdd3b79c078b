"""Key-point coverage: stems, word order and small typos match; generic overlap does not."""

from __future__ import annotations

from bot.coverage import assess, term_can_match
from content.schema import KeyPoint

POINTS = (
    KeyPoint(label="Feature store", terms=("feature store", "feast")),
    KeyPoint(label="Monitoring drift", terms=("data drift", "population stability index")),
    KeyPoint(label="Rollback", terms=("roll back", "rollback")),
)


def test_stemming_and_word_order() -> None:
    cov = assess("We stored features in Feast and monitored the drift of our data.", POINTS)
    assert cov.covered == ("Feature store", "Monitoring drift")
    assert cov.missed == ("Rollback",)


def test_typos_are_tolerated_on_long_words_only() -> None:
    assert assess("a featrue store keeps definitions", POINTS[:1]).covered == ("Feature store",)
    assert assess("the populaton stabilty index", POINTS[1:2]).covered == ("Monitoring drift",)
    short = (KeyPoint(label="Portable format", terms=("onnx",)),)
    assert assess("export to onyx", short).covered == ()  # words under five letters must be exact
    assert assess("data drop", POINTS[1:2]).covered == ()


def test_unrelated_answer_covers_nothing() -> None:
    cov = assess("I would talk to my manager about it.", POINTS)
    assert cov.covered == () and cov.score == 0.0


def test_terms_of_only_stopwords_can_never_match() -> None:
    assert not term_can_match("the and of")
    assert term_can_match("CI/CD")
