"""The router's category glossary: read from a category tree, taken from the dispatch catalogue, trained with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govchat.cli import main
from office_flows.routing import DatasetError, RouterModel
from office_flows.routing.catalogue import Catalogue, DepartmentEntry, shipped
from office_flows.routing.dataset import Example
from office_flows.routing.glossary import for_labels, read_glossary

TREE = (
    "一级分类,二级分类,三级分类\n"
    "教育文体,学前教育,幼儿园收费\n"
    "教育文体,学前教育,幼儿园收费\n"
    "环境保护,水污染,\n"
    ",没有类别,x\n"
)


def test_a_category_tree_becomes_one_phrase_per_row(tmp_path: Path):
    path = tmp_path / "tree.csv"
    path.write_text(TREE, encoding="utf-8-sig")
    assert read_glossary(path) == [Example("学前教育 幼儿园收费", "教育文体"), Example("水污染", "环境保护")]
    assert for_labels(read_glossary(path), ["环境保护", "交通运输"]) == [Example("水污染", "环境保护")]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "file not found"), (b"\xff\xfe\x00bad", "not a UTF-8 CSV"), ("一级分类,二级分类\n", "no rows")],
)
def test_unusable_glossary_files_are_explained(tmp_path: Path, content: bytes | str | None, message: str):
    path = tmp_path / "tree.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_glossary(path)


def test_the_catalogue_gives_the_matters_of_departments_that_take_one_category():
    cat = Catalogue(
        (
            DepartmentEntry("交通局", matters=("公交线路与站点", "出租车服务")),
            DepartmentEntry("综合局", matters=("什么都管",)),
            DepartmentEntry("无类别局", matters=("不在目录里",)),
        ),
        {"交通运输": "交通局", "城乡建设": "综合局", "商贸旅游": "综合局"},
    )
    assert cat.glossary() == [Example("公交线路与站点", "交通运输"), Example("出租车服务", "交通运输")]
    shipped_phrases = shipped().glossary()
    assert len(shipped_phrases) > 30 and Example("公交线路与站点", "交通运输") in shipped_phrases


def _examples() -> list[Example]:
    frames = ["关于{}的问题请处理", "{}的情况反映一下", "我想投诉{}"]
    topics = {"交通运输": ["公交车", "出租车", "红绿灯"], "教育文体": ["小学学位", "教师编制", "学校食堂"]}
    return [Example(f.format(t), label) for label, ts in topics.items() for t in ts for f in frames]


def test_a_glossary_teaches_words_no_ticket_used():
    text = "幼儿园收费太贵了"  # no training ticket says 幼儿园
    phrases = [Example("学前教育 幼儿园收费", "教育文体"), Example("幼儿园 托育", "教育文体")]
    phrases += [Example("水污染", "环境保护")]  # not a training label: left out
    model = RouterModel.train(_examples(), glossary=phrases)
    assert model.metadata["glossary_phrases"] == 2 and model.labels == ["交通运输", "教育文体"]
    with_glossary = model.predict(text)
    without = RouterModel.train(_examples()).predict(text)
    assert with_glossary.label == "教育文体"
    assert dict(with_glossary.alternatives)["教育文体"] > dict(without.alternatives)["教育文体"]


def test_cli_trains_with_a_glossary_file_the_catalogue_by_default_or_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    data = tmp_path / "tickets.jsonl"
    data.write_text("".join(json.dumps(e.__dict__, ensure_ascii=False) + "\n" for e in _examples()), encoding="utf-8")
    tree = tmp_path / "tree.csv"
    tree.write_text(TREE, encoding="utf-8")
    base = ["--data-dir", str(tmp_path / "data"), "tickets", "router", "train", "--data", str(data), "--no-embeddings"]

    def phrases(*extra: str) -> int:
        assert main([*base, *extra]) == 0
        return int(json.loads(capsys.readouterr().out)["glossary_phrases"])

    assert phrases("--glossary", str(tree)) == 1  # 教育文体's row; 环境保护 is no training label
    assert phrases() == len(for_labels(shipped().glossary(), ["交通运输", "教育文体"]))  # demo: shipped catalogue
    assert not (tmp_path / "data" / "govchat.db").exists()  # no database was made to read it
    assert phrases("--glossary", "none") == 0
    assert main([*base, "--glossary", str(tmp_path / "missing.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
