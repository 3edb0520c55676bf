"""Settings: precedence, errors, unknown keys, and every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.config import ConfigError, load_settings, settings_markdown, settings_table
from tests.support.env import ROOT


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
        ({"GOVCHAT_MATRIX_ROLE": "sometimes"}, "auto, never"),
        ({"GOVCHAT_MATRIX_LEASE_SECONDS": "0.5"}, "GOVCHAT_MATRIX_LEASE_SECONDS"),
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
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert doc == settings_markdown(), "run: govchat config --markdown > docs/settings.md"
    assert all(description for *_rest, description in settings_table())
