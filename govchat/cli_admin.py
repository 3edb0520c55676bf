"""``govchat admin``: console accounts from the command line (the first admin, password resets)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from govchat.cli_common import settings_of


def _run(args: argparse.Namespace, reset: bool) -> int:
    from admin import audit
    from admin.accounts import AccountError, create_account, parse_roles, reset_password
    from govchat.runtime import open_database
    from kernel.clock import SystemClock

    async def body() -> int:
        db = await open_database(settings_of(args))
        now = SystemClock().now()
        try:
            async with db.session() as s:
                if reset:
                    made = await reset_password(s, args.username, now=now, password=args.password)
                    action = "account.reset_password"
                else:
                    made = await create_account(
                        s,
                        args.username,
                        parse_roles(args.role),
                        now=now,
                        password=args.password,
                        person_code=args.person,
                    )
                    action = "account.create"
                audit.record(s, actor="cli", action=action, obj=made.account.username, now=now)
        except AccountError as exc:
            print(f"未完成：{exc}")
            return 1
        finally:
            await db.dispose()
        print(f"用户名：{made.account.username}\n密码：{made.password}\n（密码只显示这一次，请妥善转交）")
        return 0

    return asyncio.run(body())


def add_admin_commands(sub: Any) -> None:
    a = sub.add_parser("admin", help="管理后台账号").add_subparsers(dest="admin_cmd", required=True)
    create = a.add_parser("create-user", help="创建后台账号并打印生成的密码")
    create.add_argument("username")
    create.add_argument(
        "--role",
        action="append",
        required=True,
        help="editor、dispatcher、operator、supervisor、department_head、admin，可重复",
    )
    create.add_argument("--person", default="", help="关联通讯录工号（可选）")
    create.add_argument("--password", default=None, help="指定密码（默认随机生成）")
    create.set_defaults(func=lambda args: _run(args, reset=False))
    reset = a.add_parser("reset-password", help="重置后台账号密码并打印新密码")
    reset.add_argument("username")
    reset.add_argument("--password", default=None)
    reset.set_defaults(func=lambda args: _run(args, reset=True))
