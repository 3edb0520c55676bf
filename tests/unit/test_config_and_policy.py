"""Settings precedence and errors; BM25 scoring; the answer policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.config import ConfigError, load_settings, settings_markdown, settings_table
from knowledge_base.lexical import Bm25Index
from knowledge_base.policy import Decision, Thresholds, decide
from knowledge_base.retriever import EntryHit


def test_defaults_use_sqlite_in_data_dir(tmp_path: Path):
    s = load_settings(environ={"GOVCHAT_DATA_DIR": str(tmp_path)})
    assert s.effective_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'govchat.db'}"
    assert s.port == 8080 and s.demo_data is True


def test_env_beats_file_beats_default(tmp_path: Path):
    cfg = tmp_path / "govchat.toml"
    cfg.write_text('port = 9000\nlog_level = "DEBUG"\n', encoding="utf-8")
    s = load_settings(environ={"GOVCHAT_CONFIG": str(cfg), "GOVCHAT_PORT": "9100"})
    assert s.port == 9100 and s.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"GOVCHAT_PORT": "eighty"}, "GOVCHAT_PORT"),
        ({"GOVCHAT_DEMO_DATA": "maybe"}, "GOVCHAT_DEMO_DATA"),
        ({"GOVCHAT_ANSWER_THRESHOLD": "0.3", "GOVCHAT_SUGGEST_THRESHOLD": "0.5"}, "THRESHOLD"),
        ({"GOVCHAT_CONFIG": "/nonexistent/govchat.toml"}, "config file not found"),
        ({"GOVCHAT_EMBEDDING_RUNTIME": "onnx"}, "torchscript, torchscript-int8, eager"),
    ],
)
def test_bad_settings_are_explained(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_unknown_key_in_file_is_refused(tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("prot = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_settings(environ={}, config_file=cfg)


def test_every_setting_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text(encoding="utf-8")
    assert doc == settings_markdown(), "run: govchat config --markdown > docs/settings.md"
    assert all(description for *_rest, description in settings_table())


def test_bm25_prefers_the_matching_item_and_normalises_scores():
    index = Bm25Index([(1, "居住证办理"), (2, "营业执照办理"), (3, "居住证签注")])
    results = index.search("居住证怎么办理")
    assert results[0][0] == 1
    assert all(0 < s <= 1 for _, s in results)
    assert index.search("天气预报") == []


def _hit(n: int, score: float, code: str | None = None) -> EntryHit:
    return EntryHit("item", n, f"事项{n}", code or f"C{n}", fused=score)


T = Thresholds(answer=0.8, suggest=0.6, margin=0.05)


@pytest.mark.parametrize(
    ("hits", "decision", "shown"),
    [
        ([_hit(1, 0.9), _hit(2, 0.7)], Decision.ANSWER, [1]),
        ([_hit(1, 0.9), _hit(2, 0.88)], Decision.SUGGEST, [1, 2]),  # too close to call
        ([_hit(1, 0.9), _hit(2, 0.89, "C1")], Decision.ANSWER, [1]),  # same item, not a race
        ([_hit(1, 0.7), _hit(2, 0.65), _hit(3, 0.6), _hit(4, 0.6)], Decision.SUGGEST, [1, 2, 3]),
        ([_hit(1, 0.5)], Decision.DECLINE, [1]),
        ([], Decision.DECLINE, []),
    ],
)
def test_answer_policy(hits, decision, shown):
    got, show = decide(hits, T)
    assert got is decision
    assert [h.entry_id for h in show] == shown
