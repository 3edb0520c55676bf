"""Ticket routing: the classifier, its persistence, the department map, the proposal and the CLI."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from govchat.cli import main
from kernel.config import load_settings
from office_flows.routing import (
    DatasetError,
    DepartmentMapError,
    ModelError,
    Router,
    RouterModel,
    load_department_map,
    read_examples,
)
from office_flows.routing.dataset import Example
from office_flows.routing.evaluation import cross_validate
from office_flows.routing.service import LOW_CONFIDENCE, NO_MODEL, model_dir
from office_flows.text_encoder import TextEncoder
from tests.support.env import shared_file

# Invented messages, a few words per category, varied so that folds and calibration have material.
_TOPICS = {
    "交通运输": ["公交车站", "公交线路", "红绿灯", "出租车", "道路拥堵", "停车位"],
    "教育文体": ["小学学位", "幼儿园收费", "课外辅导", "教师编制", "学校食堂", "体育馆开放"],
    "环境保护": ["工厂排污", "河水发臭", "噪音扰民", "焚烧垃圾", "粉尘污染", "废水直排"],
}
_FRAMES = ["我家附近的{}问题很严重，请尽快处理", "反映{}的情况，希望有关部门关注", "关于{}，市民意见很大"]


def _examples() -> list[Example]:
    return [
        Example(frame.format(topic), label)
        for label, topics in _TOPICS.items()
        for topic in topics
        for frame in _FRAMES
    ]


def _write_jsonl(path: Path, examples: list[Example]) -> Path:
    path.write_text(
        "".join(json.dumps({"text": e.text, "label": e.label}, ensure_ascii=False) + "\n" for e in examples),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def trained() -> RouterModel:
    return RouterModel.train(_examples())


def test_model_predicts_label_confidence_and_top3(trained: RouterModel):
    p = trained.predict("学校附近新开的幼儿园收费太高了")
    assert p.label == "教育文体"
    assert p.alternatives[0] == (p.label, p.confidence)
    assert len(p.alternatives) == 3 and [a for _, a in p.alternatives] == sorted(
        (a for _, a in p.alternatives), reverse=True
    )
    assert 1 / 3 < p.confidence <= 1 and sum(c for _, c in p.alternatives) == pytest.approx(1, abs=0.01)
    assert trained.predict("化工厂晚上偷偷排污，河水发臭").label == "环境保护"


def test_save_and_load_round_trip(trained: RouterModel, tmp_path: Path):
    trained.save(tmp_path / "router")
    loaded = RouterModel.load(tmp_path / "router")
    text = "这条公交线路的车太少了"
    assert loaded.predict(text) == trained.predict(text)
    meta = json.loads((tmp_path / "router" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["labels"] == ["交通运输", "教育文体", "环境保护"]
    assert meta["examples"] == len(_examples()) and meta["data_fingerprint"].startswith("sha256:")
    assert meta["features"] and meta["trained_at"]


def test_load_refuses_missing_or_foreign_models(trained: RouterModel, tmp_path: Path):
    with pytest.raises(ModelError, match="no trained routing model"):
        RouterModel.load(tmp_path / "nothing")
    folder = trained.save(tmp_path / "old")
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    (folder / "metadata.json").write_text(json.dumps(meta | {"format_version": 0}), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain"):
        RouterModel.load(folder)


def test_training_needs_two_labels_with_examples():
    with pytest.raises(ValueError, match="two labels"):
        RouterModel.train([Example("公交", "交通运输"), Example("公交车", "交通运输")])


def test_bad_jsonl_lines_are_named(tmp_path: Path):
    good = json.dumps({"text": "公交车太少", "label": "交通运输"}, ensure_ascii=False)
    cases = {
        "not json": (f"{good}\n{{oops\n", ":2: not valid JSON"),
        "no label": (f'{good}\n\n{{"text": "x"}}\n', ":3: 'label' must be a non-empty string"),
        "list": ("[1, 2]\n", ":1: expected an object"),
        "empty": ("\n", "no examples"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(DatasetError, match=message):
            read_examples(path)
    with pytest.raises(DatasetError, match="file not found"):
        read_examples(tmp_path / "absent.jsonl")


def test_shipped_department_map_covers_the_seven_categories():
    departments = load_department_map()
    labels = ["城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输"]
    assert departments.unmapped(labels) == []
    assert departments.department_of("环境保护") == "梅州市生态环境局梅江分局"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("类别,部门\n交通运输,交通局\n", "first row"),
        ("category,department\n交通运输,交通局\n交通运输,公路局\n", ":3: category '交通运输' appears twice"),
        ("category,department\n交通运输\n", ":2: expected a category and a department"),
        ("category,department\n", "no rows"),
    ],
)
def test_bad_department_maps_are_explained(tmp_path: Path, content: str, message: str):
    path = tmp_path / "map.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DepartmentMapError, match=message):
        load_department_map(path)


def test_proposal_maps_category_to_department(trained: RouterModel, tmp_path: Path):
    path = tmp_path / "map.csv"
    path.write_text("category,department\n交通运输,测试区交通运输局\n教育文体,测试区教育局\n", encoding="utf-8")
    router = Router(trained, load_department_map(path))
    p = router.propose("红绿灯坏了好几天，路口很堵")
    assert (p.category, p.department, p.proposed) == ("交通运输", "测试区交通运输局", True)
    assert p.alternatives[0].confidence == p.confidence
    assert "测试区交通运输局" in p.describe() and "置信度" in p.describe()
    unmapped = router.propose("工厂排污，河水发臭")
    assert unmapped.category == "环境保护" and unmapped.department is None
    assert "未配置承办部门" in unmapped.describe()


def test_low_confidence_makes_no_proposal_but_lists_alternatives(trained: RouterModel):
    router = Router(trained, load_department_map(), min_confidence=1.0)
    p = router.propose("公交车站")
    assert not p.proposed and p.reason == LOW_CONFIDENCE and len(p.alternatives) == 3
    assert "请调度员指定" in p.describe()


def test_without_a_model_there_is_no_proposal(tmp_path: Path):
    settings = load_settings(environ={}, data_dir=str(tmp_path / "data"))
    p = Router.from_settings(settings).propose("任何内容")
    assert not p.proposed and p.reason == NO_MODEL and p.alternatives == ()
    assert "尚未训练" in p.describe()
    # a broken model folder is reported in the log and treated as no model, not a crash
    model_dir(settings.data_dir).mkdir(parents=True)
    (model_dir(settings.data_dir) / "metadata.json").write_text("{", encoding="utf-8")
    (model_dir(settings.data_dir) / "model.joblib").write_bytes(b"junk")
    assert Router.from_settings(settings).propose("任何内容").reason == NO_MODEL


def test_settings_point_to_another_map(trained: RouterModel, tmp_path: Path):
    path = tmp_path / "map.csv"
    path.write_text("category,department\n教育文体,别区教育局\n", encoding="utf-8")
    settings = load_settings(environ={"GOVCHAT_ROUTER_DEPARTMENT_MAP": str(path)}, data_dir=str(tmp_path / "data"))
    trained.save(model_dir(settings.data_dir))
    assert Router.from_settings(settings).propose("小学学位不够").department == "别区教育局"


def test_cli_train_eval_and_propose(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    data = _write_jsonl(tmp_path / "tickets.jsonl", _examples())
    data_dir = tmp_path / "data"
    train = ["--data-dir", str(data_dir), "tickets", "router", "train", "--data", str(data), "--no-embeddings"]
    assert main(train) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["examples"] == len(_examples()) and (data_dir / "router" / "model.joblib").is_file()
    assert meta["embeddings"] is False

    assert main(["tickets", "router", "eval", "--data", str(data), "--folds", "3", "--no-embeddings"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"accuracy", "macro_f1", "per_label", "baseline", "folds"}
    assert len(report["folds"]) == 3 and {"accuracy", "macro_f1"} <= set(report["baseline"])
    assert set(report["per_label"]) == set(_TOPICS)

    args = ["tickets", "router", "eval", "--data", str(data), "--model", str(data_dir / "router")]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0

    assert main(["--data-dir", str(data_dir), "tickets", "router", "propose", "--json", "出租车拒载"]) == 0
    assert json.loads(capsys.readouterr().out)["department"] == "梅江区交通运输局"


@pytest.fixture(scope="module")
def trained_with_embeddings(encoder: TextEncoder) -> RouterModel:
    return RouterModel.train(_examples(), encoder=encoder)


def test_embedding_model_trains_and_proposes_with_the_real_encoder(
    trained_with_embeddings: RouterModel, encoder: TextEncoder, tmp_path: Path
):
    model = trained_with_embeddings
    assert model.needs_embeddings and not model.degraded
    assert model.metadata["embeddings"] is True and model.metadata["encoder"] == encoder.name
    assert "embedding" in model.metadata["features"]
    p = model.predict("学校附近新开的幼儿园收费太高了")
    assert p.label == "教育文体" and 1 / 3 < p.confidence <= 1
    assert sum(c for _, c in p.alternatives) == pytest.approx(1, abs=0.01)
    # a text in none of the training words: the embedding carries it
    assert model.predict("河道里漂着死鱼，还有一股刺鼻的化学味").label == "环境保护"

    loaded = RouterModel.load(model.save(tmp_path / "router"), encoder)
    text = "这条公交线路的车太少了"
    assert loaded.predict(text) == model.predict(text) and not loaded.degraded
    assert RouterModel.needs_encoder(tmp_path / "router")
    proposal = Router(loaded, load_department_map()).propose("出租车司机拒载还骂人")
    assert (proposal.category, proposal.department) == ("交通运输", "梅江区交通运输局")


def test_embedding_model_without_an_encoder_says_so_and_falls_back_to_its_ngram_part(
    trained_with_embeddings: RouterModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = load_settings(environ={}, data_dir=str(tmp_path / "data"))
    trained_with_embeddings.save(model_dir(settings.data_dir))
    with caplog.at_level(logging.WARNING, logger="office_flows.routing.model"):
        router = Router.from_settings(settings)
    assert router.model is not None and router.model.degraded
    assert "no encoder is given" in caplog.text and "n-gram part alone" in caplog.text
    p = router.propose("工厂排污，河水发臭")
    assert p.proposed and p.category == "环境保护"
    assert sum(a.confidence for a in p.alternatives) == pytest.approx(1, abs=0.01)

    class OtherEncoder:
        name = "/models/another-model"

        def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
            raise AssertionError("vectors of another model must not be used")

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="office_flows.routing.model"):
        other = RouterModel.load(model_dir(settings.data_dir), OtherEncoder())
    assert other.degraded and "not /models/another-model" in caplog.text
    assert other.predict("小学学位不够").label == "教育文体"


def test_cli_trains_with_the_configured_encoder_and_proposes_with_it(
    model_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GOVCHAT_EMBEDDING_MODEL", str(model_path))
    data = _write_jsonl(tmp_path / "tickets.jsonl", _examples())
    data_dir = tmp_path / "data"
    assert main(["--data-dir", str(data_dir), "tickets", "router", "train", "--data", str(data)]) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["embeddings"] is True and meta["encoder"] == str(model_path)
    assert main(["--data-dir", str(data_dir), "tickets", "router", "propose", "--json", "出租车拒载"]) == 0
    assert json.loads(capsys.readouterr().out)["department"] == "梅江区交通运输局"


def test_cli_reports_bad_data_with_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "公交", "label": "交通运输"}\nnot json\n', encoding="utf-8")
    assert main(["tickets", "router", "train", "--data", str(bad), "--out", str(tmp_path / "m")]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err


@pytest.mark.shared_data
def test_cross_validation_on_the_shared_dev_split_beats_the_baseline():
    examples = read_examples(shared_file("tipdm2020_gov_messages", "messages_labeled_dev.jsonl"))
    report = cross_validate(examples, folds=3)
    assert report["macro_f1"] >= 0.85
    assert report["macro_f1"] >= report["baseline"]["macro_f1"]
