"""``govchat office …``: verify a document's seal, import and show approval chains, fire due reminders."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from govchat.cli_common import progress, with_runtime


def cmd_verify(args: argparse.Namespace) -> int:
    from office_flows.common import OfficeError

    async def body(rt: Any) -> int:
        try:
            v = await rt.office.documents.verify(args.doc_id)
        except OfficeError as exc:
            progress(str(exc))
            return 2
        print(f"{args.doc_id.upper()} 验证{'通过' if v.ok else '失败'}：{v.reason}")
        return 0 if v.ok else 1

    return asyncio.run(with_runtime(args, body, load_model=False))


def cmd_chains_import(args: argparse.Namespace) -> int:
    from office_flows.documents.chains import ChainError, save_chain

    path = Path(args.file)
    if not path.is_file():
        progress(f"文件不存在：{path}")
        return 2
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        progress(f"不是有效的 UTF-8 JSON：{exc}")
        return 2
    definitions = data if isinstance(data, list) else [data]

    async def body(rt: Any) -> int:
        try:
            async with rt.db.session() as s:  # all or nothing
                for d in definitions:
                    if not isinstance(d, dict):
                        raise ChainError("每条审批链必须是 JSON 对象。")
                    chain, created = await save_chain(s, d, by=args.actor, now=rt.clock.now())
                    state = "新版本" if created else "未变化"
                    progress(f"{chain.department_code} {chain.kind}：第 {chain.version} 版（{state}）")
        except ChainError as exc:
            progress(f"未导入任何审批链：{exc}")
            return 1
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False))


def cmd_chains_show(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from office_flows.documents.models import Chain

    async def body(rt: Any) -> int:
        async with rt.db.session() as s:
            q = select(Chain).order_by(Chain.department_code, Chain.kind, Chain.version)
            if args.department:
                q = q.where(Chain.department_code == args.department)
            for c in await s.scalars(q):
                print(
                    f"{c.department_code} {c.kind} v{c.version} {c.created_at:%Y-%m-%d} {c.created_by}: {c.definition}"
                )
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False))


def cmd_tick(args: argparse.Namespace) -> int:
    async def body(rt: Any) -> int:
        n = await rt.office.tick(rt.clock.now())
        progress(f"已发送到期提醒 {n} 条。")
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False))


def cmd_rotate_seal(args: argparse.Namespace) -> int:
    from office_flows.documents.seal import rotate_seal_key

    async def body(rt: Any) -> int:
        async with rt.db.session() as s:
            key_id = await rotate_seal_key(s, rt.clock.now())
        progress(f"已启用新的印章密钥 {key_id}；旧密钥保留，已签章的公文仍可验证。")
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False, seed_demo=False))


def add_office_commands(sub: Any) -> None:
    o = sub.add_parser("office", help="移动办公：公文验章、审批链、提醒").add_subparsers(
        dest="office_command", required=True
    )
    v = o.add_parser("verify", help="验证公文的电子印章（内容被改动则验证失败）")
    v.add_argument("doc_id", help="如 FW-2026-015")
    v.set_defaults(func=cmd_verify)
    rotate = o.add_parser("rotate-seal-key", help="启用新的印章密钥（全部署共用；旧密钥保留以验证旧公文）")
    rotate.set_defaults(func=cmd_rotate_seal)
    chains = o.add_parser("chains", help="审批链（按部门和公文类型，版本化）").add_subparsers(
        dest="chains_command", required=True
    )
    imp = chains.add_parser("import", help="从 JSON 导入审批链（有变化才新增版本；在办公文沿用原版本）")
    imp.add_argument("file", help="一条或多条审批链定义（格式见 docs/office.md）")
    imp.add_argument("--actor", default="cli-admin")
    imp.set_defaults(func=cmd_chains_import)
    show = chains.add_parser("show", help="列出审批链的所有版本")
    show.add_argument("--department", default=None, help="部门编码，如 MJ-BGS")
    show.set_defaults(func=cmd_chains_show)
    tick = o.add_parser("tick", help="立即发送所有到期的公文和会议提醒（每条只发一次）")
    tick.set_defaults(func=cmd_tick)
