"""Console accounts: argon2 password hashes, roles, optional link to a person of the directory."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from admin.models import AdminAccount, AdminSession
from kernel.db import Database
from kernel.identity import ROLE_LABELS, Role
from office_flows.directory.store import person_by

CONSOLE_ROLES = (Role.EDITOR, Role.DISPATCHER, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD, Role.ADMIN)
_hasher = PasswordHasher()


T = TypeVar("T")
HASHING_SLOTS = 1  # argon2 runs in a thread, one hash at a time per worker (64 MiB each by default)
HASHING_NICE = 19  # and at the lowest CPU priority: sign-ins get the CPU the chat leaves (argon2 lanes are threads)


def _yield_cpu() -> None:
    """Hashing threads give way to the event loop: on Linux niceness is per thread, and the lane threads
    argon2 starts for one hash inherit it. (Without this, a flood of sign-ins saturated both cores with
    argon2 lanes and chat throughput fell to a tenth: bench/signin_flood_bench.py.)"""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


_hashing = ThreadPoolExecutor(max_workers=HASHING_SLOTS, thread_name_prefix="argon2", initializer=_yield_cpu)


async def _off_loop(fn: Callable[..., T], *args: str) -> T:
    """Run an argon2 call in a low-priority thread, a bounded number at a time: the loop keeps serving the chat."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, functools.partial(fn, *args))


async def hash_password(password: str) -> str:
    return await _off_loop(_hasher.hash, password)


def configure_hashing(time_cost: int, memory_kib: int) -> None:
    """Set the argon2 cost of new hashes (settings ``password_*``); existing hashes are rehashed at sign-in."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


class AccountError(ValueError):
    """A change to accounts that cannot be made; the message is for people (Chinese)."""


@dataclass(frozen=True)
class NewAccount:
    account: AdminAccount
    password: str


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def parse_roles(spec: str | list[str]) -> frozenset[Role]:
    names = spec if isinstance(spec, list) else spec.replace(",", "+").split("+")
    out = set()
    for name in filter(None, (n.strip() for n in names)):
        try:
            role = Role(name)
        except ValueError:
            raise AccountError(f"未知角色：{name}（可用：{'、'.join(r.value for r in CONSOLE_ROLES)}）") from None
        if role not in CONSOLE_ROLES:
            raise AccountError(f"角色“{ROLE_LABELS[role]}”不能登录管理后台")
        out.add(role)
    if not out:
        raise AccountError("至少需要一个角色")
    return frozenset(out)


def roles_of(account: AdminAccount) -> frozenset[Role]:
    return frozenset(Role(r) for r in account.roles.split("+") if r)


def check_password(password: str) -> None:
    if len(password) < 10:
        raise AccountError("密码至少 10 个字符")


async def create_account(
    s: AsyncSession,
    username: str,
    roles: frozenset[Role],
    *,
    now: datetime,
    password: str | None = None,
    person_code: str = "",
    display_name: str = "",
) -> NewAccount:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("用户名不能为空、不能含空格，最长 64 个字符")
    if await s.scalar(select(AdminAccount.id).where(AdminAccount.username == username)):
        raise AccountError(f"用户名 {username} 已存在")
    person_id = None
    if person_code:
        person = await person_by(s, code=person_code)
        if person is None:
            raise AccountError(f"通讯录中没有工号为 {person_code} 的人员")
        person_id = person.id
        display_name = display_name or person.name
    password = password or generate_password()
    check_password(password)
    account = AdminAccount(
        username=username,
        display_name=display_name or username,
        password_hash=await hash_password(password),
        roles="+".join(sorted(r.value for r in roles)),
        person_id=person_id,
        active=True,
        created_at=now,
        updated_at=now,
    )
    s.add(account)
    await s.flush()
    return NewAccount(account, password)


async def reset_password(s: AsyncSession, username: str, *, now: datetime, password: str | None = None) -> NewAccount:
    account = await s.scalar(select(AdminAccount).where(AdminAccount.username == username))
    if account is None:
        raise AccountError(f"没有用户 {username}")
    password = password or generate_password()
    check_password(password)
    account.password_hash = await hash_password(password)
    account.updated_at = now
    # a reset ends every session of the account: whoever knew the old password is signed out
    await s.execute(delete(AdminSession).where(AdminSession.account_id == account.id))
    return NewAccount(account, password)


async def authenticate(db: Database, username: str, password: str) -> AdminAccount | None:
    """The active account with this name and password, or None.

    The hash is checked off the event loop and outside any transaction (on SQLite a transaction holds the
    process's write queue: argon2 inside one would stall every chat message)."""
    async with db.session() as s:
        account = await s.scalar(select(AdminAccount).where(AdminAccount.username == username.strip()))
    if account is None or not account.active:
        await hash_password(password)  # same cost either way: no user enumeration by timing
        return None
    try:
        await _off_loop(_hasher.verify, account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        new_hash = await hash_password(password)
        async with db.session() as s:
            await s.execute(update(AdminAccount).where(AdminAccount.id == account.id).values(password_hash=new_hash))
    return account


async def ensure_first_admin(s: AsyncSession, *, now: datetime) -> NewAccount | None:
    """On the very first start: an ``admin`` account with a random password (printed once)."""
    if await s.scalar(select(func.count()).select_from(AdminAccount)):
        return None
    return await create_account(s, "admin", frozenset({Role.ADMIN}), now=now, display_name="系统管理员")
