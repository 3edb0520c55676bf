"""The nearest-training-texts base model of the routing stack, and models saved before it existed."""

from __future__ import annotations

import numpy as np
import pytest

from office_flows.routing.neighbours import ClassNeighbours
from office_flows.routing.stacking import StackedClassifier


def _unit(rows: list[list[float]]) -> np.ndarray:
    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_scores_are_the_closest_and_the_mean_of_the_closest_per_class():
    train = _unit([[1, 0, 0], [0.9, 0.1, 0], [0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]])
    labels = np.array(["a", "a", "a", "b", "b"])
    model = ClassNeighbours(top=2).fit(train, labels)
    scores = model.decision_function(_unit([[1, 0, 0]]))
    sims = train @ _unit([[1, 0, 0]])[0]
    assert list(model.classes_) == ["a", "b"]
    assert scores.shape == (1, 4)
    assert scores[0, 0] == pytest.approx(sims[0]) and scores[0, 1] == pytest.approx((sims[0] + sims[1]) / 2)
    assert scores[0, 2] == pytest.approx(0) and scores[0, 3] == pytest.approx(0)


def test_a_class_with_fewer_texts_than_top_uses_the_texts_it_has():
    model = ClassNeighbours(top=3).fit(_unit([[1, 0], [0, 1], [0.6, 0.8]]), np.array(["a", "b", "b"]))
    scores = model.decision_function(_unit([[1, 0]]))
    assert scores[0, 0] == pytest.approx(1) and scores[0, 1] == pytest.approx(1)
    assert scores[0, 2] == pytest.approx(0.6) and scores[0, 3] == pytest.approx(0.3)


def test_unnormalised_vectors_are_compared_by_cosine():
    model = ClassNeighbours(top=1).fit(np.array([[3.0, 0.0], [0.0, 0.5]]), np.array(["a", "b"]))
    assert model.decision_function(np.array([[10.0, 0.0]]))[0].tolist() == pytest.approx([1, 1, 0, 0])


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        ClassNeighbours(top=0)
    with pytest.raises(ValueError):
        ClassNeighbours().fit(np.zeros((2, 3)), np.array(["a"]))


def _toy() -> tuple[list[str], np.ndarray, list[str]]:
    rng = np.random.default_rng(0)
    words = {
        "交通运输": "公交 班车 出租车 路线",
        "教育文体": "学校 学位 老师 幼儿园",
        "环境保护": "排污 噪音 河水 垃圾",
    }
    texts, labels, rows = [], [], []
    for i, (label, vocab) in enumerate(words.items()):
        for j in range(12):
            w = vocab.split()
            texts.append(f"{w[j % 4]}{w[(j + 1) % 4]}的问题第{j}次反映")
            labels.append(label)
            centre = np.zeros(8)
            centre[i] = 1
            rows.append(centre + 0.3 * rng.standard_normal(8))
    return texts, _unit(rows), labels


def test_the_stack_uses_the_neighbours_and_a_model_saved_before_them_still_answers():
    texts, vectors, labels = _toy()
    model = StackedClassifier(folds=3).fit(texts, vectors, labels)
    assert model.neighbours_ is not None
    probs = model.predict_proba(texts[:3], vectors[:3])
    assert probs.shape == (3, 3) and np.allclose(probs.sum(axis=1), 1)
    assert model.meta_.n_features_in_ == 3 + 3 + 2 * 3

    # what an older pickle holds: no neighbours, a meta-learner over the other two blocks
    from office_flows.routing.stacking import _meta

    old = StackedClassifier(folds=3).fit(texts, vectors, labels)
    del old.neighbours_
    ngram = old.ngram_.decision_function(old.features_.transform(texts))
    old.meta_ = _meta().fit(np.hstack([ngram, old.embedding_.decision_function(vectors)]), labels)
    assert list(old.classes_[old.predict_proba(texts, vectors).argmax(axis=1)]) == labels
