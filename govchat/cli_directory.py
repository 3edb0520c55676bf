"""``govchat directory …``: import the directory from CSV, link chat identities."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from govchat.cli_common import progress, with_runtime


class _Rollback(Exception):
    pass


def cmd_import(args: argparse.Namespace) -> int:
    from govchat.runtime import link_channels
    from office_flows.directory.importer import import_directory, read_text

    paths = [p for p in (args.departments, args.people) if p]
    if not paths:
        progress("请至少给出 --departments 或 --people 之一。")
        return 2
    for p in paths:
        if not Path(p).is_file():
            progress(f"文件不存在：{p}")
            return 2

    async def body(rt: Any) -> int:
        dept_text = read_text(Path(args.departments) if args.departments else None)
        people_text = read_text(Path(args.people) if args.people else None)
        report = None
        try:
            async with rt.db.session() as s:
                report = await import_directory(
                    s, dept_text, people_text, by=args.actor, channels=link_channels(rt.settings, rt.integrations)
                )
                if report.errors or args.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        assert report is not None
        print(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
        if report.errors:
            progress(f"发现 {len(report.errors)} 处错误，未写入任何数据。")
            return 1
        progress("试运行：校验通过，未写入任何数据。" if args.dry_run else "通讯录导入完成。")
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False, seed_demo=False))


def cmd_link(args: argparse.Namespace) -> int:
    from govchat.runtime import link_channels
    from office_flows.directory.store import DirectoryError, link_identity

    async def body(rt: Any) -> int:
        try:
            async with rt.db.session() as s:
                await link_identity(
                    s,
                    args.person,
                    args.channel,
                    args.address,
                    by=args.actor,
                    channels=link_channels(rt.settings, rt.integrations),
                )
        except DirectoryError as exc:
            progress(str(exc))
            return 1
        progress(f"已关联：{args.channel}:{args.address} → {args.person}")
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False, seed_demo=False))


def cmd_demo_remove(args: argparse.Namespace) -> int:
    """Take the demo district out of a database: demo people unlinked and deactivated, demo KB archived."""
    from knowledge_base.demo import archive_demo
    from office_flows.directory.demo import remove_demo_directory

    async def body(rt: Any) -> int:
        async with rt.db.session() as s:
            report = await remove_demo_directory(s)
            archived = await archive_demo(s, now=rt.clock.now(), actor=args.actor)
        progress(
            f"已移除演示数据：停用演示人员 {report.people} 人，删除其聊天账号关联 {report.identities} 个，"
            f"停用演示部门 {report.departments} 个，归档演示知识库条目 {archived} 条。"
        )
        return 0

    return asyncio.run(with_runtime(args, body, load_model=False, seed_demo=False))


def add_directory_commands(sub: Any) -> None:
    demo = sub.add_parser("demo", help="演示数据").add_subparsers(dest="demo_command", required=True)
    remove = demo.add_parser("remove", help="从数据库中移除演示人员（停用并解除聊天账号关联）和演示知识库")
    remove.add_argument("--actor", default="cli-admin")
    remove.set_defaults(func=cmd_demo_remove)
    d = sub.add_parser("directory", help="通讯录：部门、人员、聊天账号").add_subparsers(
        dest="directory_command", required=True
    )
    imp = d.add_parser("import", help="从 CSV 导入部门和人员（全部校验通过才写入）")
    imp.add_argument("--departments", default=None, help="部门表：编码,名称,上级编码,文号前缀")
    imp.add_argument("--people", default=None, help="人员表：工号,姓名,部门编码,职务,角色,手机,聊天账号")
    imp.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
    imp.add_argument("--actor", default="cli-import")
    imp.set_defaults(func=cmd_import)
    link = d.add_parser("link", help="把一个聊天账号关联到人员（之后以该人员身份和角色说话）")
    link.add_argument("person", help="工号")
    link.add_argument("channel", help="经过认证的渠道：matrix，或允许声明工作人员身份的集成渠道")
    link.add_argument("address", help="聊天账号，例如 @zhangsan:gov.local")
    link.add_argument("--actor", default="cli-admin")
    link.set_defaults(func=cmd_link)
