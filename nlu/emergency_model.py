"""The learned half of the emergency classifier: logistic regression over character n-grams.

Trained from the shipped ``nlu/data/emergency_train.jsonl`` (the team's own sentences: emergencies
labelled with their kind, look-alikes labelled "none") in a fraction of a second, at start-up or with
``python -m nlu.emergency_model``; no model is downloaded or stored. One multinomial model gives both
the probability of an emergency (1 − P(none)) and a kind for wording the rules do not know.

scikit-learn fits it; prediction is then a dictionary look-up and a few dot products in plain Python
(TF-IDF with l2 norm, like ``TfidfVectorizer``), so one message costs tens of microseconds instead of
the vectoriser's per-call overhead.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TRAIN_FILE = Path(__file__).resolve().parent / "data" / "emergency_train.jsonl"
NLU_FILES = ("nlu_citizen.yml", "nlu_staff.yml")
# Intents whose examples can describe a danger (a fall, gas, someone trapped); every other intent's examples are
# everyday talk to the bot and teach the model what is *not* an emergency.
MAY_BE_URGENT = frozenset({"request_help", "report"})
NONE = "none"
NGRAMS = (1, 3)
_INTENT = re.compile(r"^- intent:\s*(\S+)")
_EXAMPLE = re.compile(r"^\s+- (.+)$")
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def load_examples(path: Path = TRAIN_FILE) -> list[tuple[str, str]]:
    """(text, label) pairs: the kind for an emergency, "none" for a look-alike."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                out.append((row["text"], row["kind"] if row["emergency"] else NONE))
    return out


def load_background(data_dir: Path = TRAIN_FILE.parent) -> list[tuple[str, str]]:
    """The NLU's training examples of everyday intents (greetings, asking for a person, documents, meetings …),
    labelled "none": without them the model has seen only emergencies and their look-alikes, and ordinary
    talk such as "有咩要我批嘅" or "有没有在线人工" scored as an emergency."""
    out: list[tuple[str, str]] = []
    for name in NLU_FILES:
        intent = ""
        for line in (data_dir / name).read_text(encoding="utf-8").splitlines():
            if m := _INTENT.match(line):
                intent = m.group(1)
            elif (m := _EXAMPLE.match(line)) and intent and intent not in MAY_BE_URGENT:
                text = _ENTITY.sub(r"\1", m.group(1)).strip()
                if text:
                    out.append((text, NONE))
    return out


def training_examples() -> list[tuple[str, str]]:
    """What the product's model learns from: the emergency file and the everyday background."""
    return load_examples() + load_background()


def _grams(text: str) -> Counter[str]:
    lo, hi = NGRAMS
    return Counter(text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1))


@dataclass
class EmergencyModel:
    vocabulary: dict[str, int]
    idf: list[float]
    classes: list[str]
    coef: list[list[float]]  # one row per class
    intercept: list[float]

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]], *, c: float = 10.0) -> EmergencyModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from nlu.emergency import normalise, repair

        pairs = list(examples)
        texts = [repair(normalise(t)) for t, _ in pairs]
        labels = [label for _, label in pairs]
        vec = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, sublinear_tf=True)
        x = vec.fit_transform(texts)
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        clf.fit(x, labels)
        classes = [str(k) for k in clf.classes_]
        coef = clf.coef_.tolist()
        intercept = clf.intercept_.tolist()
        if len(classes) == 2:  # binary: sklearn keeps one row, for the second class
            coef = [[-w for w in coef[0]], coef[0]]
            intercept = [-intercept[0], intercept[0]]
        vocab = {str(k): int(v) for k, v in vec.vocabulary_.items()}
        return cls(vocab, vec.idf_.tolist(), classes, coef, intercept)

    @classmethod
    def train_default(cls) -> EmergencyModel:
        return cls.train(training_examples())

    def predict(self, norm: str) -> tuple[float, str | None]:
        """P(emergency) and the most likely kind, for text already normalised and repaired."""
        feats: dict[int, float] = {}
        for gram, count in _grams(norm).items():
            j = self.vocabulary.get(gram)
            if j is not None:
                feats[j] = (1.0 + math.log(count)) * self.idf[j]
        norm2 = math.sqrt(sum(v * v for v in feats.values())) or 1.0
        logits = [
            b + sum(row[j] * v for j, v in feats.items()) / norm2
            for row, b in zip(self.coef, self.intercept, strict=True)
        ]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        probs = {k: e / total for k, e in zip(self.classes, exps, strict=True)}
        p_none = probs.get(NONE, 0.0)
        kinds = [(p, k) for k, p in probs.items() if k != NONE]
        kind = max(kinds)[1] if kinds else None
        return 1.0 - p_none, kind


def main() -> None:
    """Train from the shipped file and print a summary (how long it takes, how many n-grams)."""
    import time

    t = time.perf_counter()
    model = EmergencyModel.train_default()
    print(
        f"emergency model: {len(training_examples())} examples, {len(model.vocabulary)} n-grams, "
        f"classes {model.classes}, trained in {time.perf_counter() - t:.2f} s"
    )


if __name__ == "__main__":
    main()
