"""The WeChat settings: each platform on only when configured, incomplete set-ups refused with a reason."""

from __future__ import annotations

import pytest

from kernel.config import ConfigError, load_settings, shown_value

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def test_channels_are_off_until_configured() -> None:
    s = load_settings(environ={})
    assert not s.wechat_enabled and not s.wecom_enabled
    s = load_settings(environ={"GOVCHAT_WECHAT_TOKEN": "t", "GOVCHAT_WECHAT_APP_ID": "wx1"})
    assert s.wechat_enabled and not s.wecom_enabled  # plaintext mode: no key needed


def test_incomplete_or_malformed_setups_are_refused() -> None:
    with pytest.raises(ConfigError, match="43 characters"):
        load_settings(
            environ={"GOVCHAT_WECHAT_TOKEN": "t", "GOVCHAT_WECHAT_APP_ID": "wx1", "GOVCHAT_WECHAT_AES_KEY": "x"}
        )
    with pytest.raises(ConfigError, match="WeCom needs"):
        load_settings(environ={"GOVCHAT_WECOM_CORP_ID": "ww1", "GOVCHAT_WECOM_AGENT_ID": "1000002"})
    with pytest.raises(ConfigError, match="REPLY_SECONDS"):
        load_settings(environ={"GOVCHAT_WECHAT_REPLY_SECONDS": "5"})
    s = load_settings(
        environ={
            "GOVCHAT_WECOM_CORP_ID": "ww1",
            "GOVCHAT_WECOM_AGENT_ID": "1000002",
            "GOVCHAT_WECOM_SECRET": "s",
            "GOVCHAT_WECOM_TOKEN": "t",
            "GOVCHAT_WECOM_AES_KEY": KEY,
        }
    )
    assert s.wecom_enabled and s.wecom_agent_id == 1000002
    assert shown_value("wecom_aes_key", KEY) == "***" and shown_value("wechat_app_secret", "s") == "***"
