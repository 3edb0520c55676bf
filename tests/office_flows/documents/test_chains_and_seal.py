"""Document pieces without a database: chain definitions and the SM2 seal."""

from __future__ import annotations

from pathlib import Path

import pytest

from office_flows.documents.chains import ChainError, parse_steps
from office_flows.documents.seal import Sealer


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "至少要有一个步骤"),
        ([{"name": "审核", "mode": "maybe", "assignees": ["MJ001"]}], "方式 maybe 无效"),
        ([{"name": "审核", "assignees": ["MJ001", "MJ002"]}], "只能有一位办理人"),
        ([{"name": "审核", "assignees": []}], "缺少办理人"),
        ([{"name": "审核", "assignees": ["MJ001"], "when": {"weather": ["晴"]}}], "条件只能针对"),
        ([{"name": "审核", "assignees": ["MJ001"], "hours": 0}], "必须是正数"),
    ],
)
def test_chain_definitions_are_checked(steps: list[dict[str, object]], message: str) -> None:
    with pytest.raises(ChainError, match=message):
        parse_steps({"steps": steps})


def test_condition_selects_a_step() -> None:
    [step] = parse_steps({"steps": [{"name": "阅签", "assignees": ["MJ005"], "when": {"urgency": ["特急"]}}]})
    assert step.applies({"urgency": "特急"}) and not step.applies({"urgency": "平件"})


def test_seal_detects_any_change_and_keeps_its_key(tmp_path: Path) -> None:
    sealer = Sealer(tmp_path / "keys")
    payload = {"doc_id": "FW-2026-001", "number": "梅江府〔2026〕1号", "body": "正文"}
    sig = sealer.sign(payload)
    assert sealer.verify(payload, sig, sealer.key_id).ok
    for key, value in [("body", "正文。"), ("number", "梅江府〔2026〕2号"), ("doc_id", "FW-2026-002")]:
        assert not sealer.verify({**payload, key: value}, sig, sealer.key_id).ok
    again = Sealer(tmp_path / "keys")  # a restart reads the same key pair
    assert again.key_id == sealer.key_id and again.verify(payload, sig, again.key_id).ok
    other = Sealer(tmp_path / "other")
    assert "不是本系统当前的印章密钥" in other.verify(payload, sig, sealer.key_id).reason
    assert (tmp_path / "keys" / "seal_sm2_private.hex").stat().st_mode & 0o077 == 0


def test_seal_with_a_public_key_starting_with_04(tmp_path: Path) -> None:
    """gmssl strips a "04" point prefix with lstrip: such a key (one in 256) never verified before."""
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "seal_sm2_private.hex").write_text("7f26144b98289fcd59a54a7bb1fee08f571242425051c1ccd17f9acae01f5057")
    (keys / "seal_sm2_public.hex").write_text(
        "040fb69d4ae7e9e36900af10b3f911859707798b6b0900cd12f4414f2ca54ed8"
        "abb9711a5669dd45d3d70ce8dd6d57274ffe995628d39a0b1449f67286619a1f"
    )
    sealer = Sealer(keys)
    payload = {"doc_id": "FW-2026-001", "body": "正文"}
    for _ in range(5):  # each signature takes a fresh nonce
        assert sealer.verify(payload, sealer.sign(payload), sealer.key_id).ok
    assert not sealer.verify({**payload, "body": "改"}, sealer.sign(payload), sealer.key_id).ok
