"""CSV import of departments and people: validated whole, applied in one transaction, upsert by code.

departments: 编码,名称,上级编码,文号前缀
people:      工号,姓名,部门编码,职务,角色,手机,聊天账号   (聊天账号: "matrix:@a:hs.gov;app:zhangsan", ";"-separated)

A chat account names a channel that authenticates its users (Matrix, or an integration allowed to assert
staff identities); "*" (every channel) is refused.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.directory.models import ChatIdentity, Department, Person
from office_flows.directory.store import DirectoryError, check_link_channel, parse_roles

DEPT_HEADERS = ("编码", "名称", "上级编码", "文号前缀")
PEOPLE_HEADERS = ("工号", "姓名", "部门编码", "职务", "角色", "手机", "聊天账号")
_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class ImportReport:
    departments: int = 0
    people: int = 0
    identities: int = 0
    errors: list[str] = field(default_factory=list)


def _rows(text: str, headers: tuple[str, ...], what: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [h for h in headers[:2] if h not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"{what}：缺少列 {'、'.join(missing)}（需要的列：{','.join(headers)}）")
        return []
    return [(n, {k: (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, start=2)]


def _identities(spec: str, channels: frozenset[str]) -> list[tuple[str, str]]:
    out = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        channel, sep, address = part.partition(":")
        if not sep or not address:
            raise DirectoryError(f"聊天账号“{part}”格式应为 渠道:账号，例如 matrix:@zhangsan:gov.local")
        check_link_channel(channel.strip(), channels)
        out.append((channel.strip(), address.strip()))
    return out


async def import_directory(
    s: AsyncSession,
    departments_csv: str = "",
    people_csv: str = "",
    *,
    by: str = "import",
    channels: frozenset[str] = frozenset({"matrix"}),
) -> ImportReport:
    """``channels``: the channels a chat account may name (those that authenticate their users)."""
    """Validate everything first; write only when no row has an error (the caller's transaction)."""
    report = ImportReport()
    depts = _rows(departments_csv, DEPT_HEADERS, "部门表", report) if departments_csv else []
    people = _rows(people_csv, PEOPLE_HEADERS, "人员表", report) if people_csv else []
    known_depts = {d.code for d in await s.scalars(select(Department))}
    seen: set[str] = set()
    for n, row in depts:
        code = row.get("编码", "")
        if not _CODE.match(code):
            report.errors.append(f"部门表第 {n} 行“编码”：{code or '（空）'} 不是有效编码（字母、数字、-、_）")
        elif code in seen:
            report.errors.append(f"部门表第 {n} 行“编码”：{code} 重复")
        if not row.get("名称"):
            report.errors.append(f"部门表第 {n} 行“名称”：不能为空")
        seen.add(code)
    known_depts |= seen
    people_seen: set[str] = set()
    for n, row in people:
        code = row.get("工号", "")
        if not _CODE.match(code):
            report.errors.append(f"人员表第 {n} 行“工号”：{code or '（空）'} 不是有效工号")
        elif code in people_seen:
            report.errors.append(f"人员表第 {n} 行“工号”：{code} 重复")
        people_seen.add(code)
        if not row.get("姓名"):
            report.errors.append(f"人员表第 {n} 行“姓名”：不能为空")
        dept = row.get("部门编码", "")
        if dept and dept not in known_depts:
            report.errors.append(f"人员表第 {n} 行“部门编码”：没有编码为 {dept} 的部门")
        phone = row.get("手机", "")
        if phone and not _MOBILE.match(phone):
            report.errors.append(f"人员表第 {n} 行“手机”：{phone} 不是有效的手机号")
        try:
            parse_roles(row.get("角色", "") or "staff")
            _identities(row.get("聊天账号", ""), channels)
        except DirectoryError as exc:
            report.errors.append(f"人员表第 {n} 行：{exc}")
    if report.errors:
        return report

    for _, row in depts:
        department = await s.scalar(select(Department).where(Department.code == row["编码"]))
        if department is None:
            department = Department(code=row["编码"])
            s.add(department)
        department.name = row["名称"]
        department.parent_code = row.get("上级编码") or None
        department.doc_prefix = row.get("文号前缀", "")
        department.active = True
        report.departments += 1
    await s.flush()
    dept_ids = {d.code: d.id for d in await s.scalars(select(Department))}
    for _, row in people:
        person = await s.scalar(select(Person).where(Person.code == row["工号"]))
        if person is None:
            person = Person(code=row["工号"])
            s.add(person)
        person.name = row["姓名"]
        person.department_id = dept_ids.get(row.get("部门编码", ""))
        person.position = row.get("职务", "")
        person.roles = "+".join(sorted(parse_roles(row.get("角色", "") or "staff")))
        person.phone = row.get("手机", "")
        person.active = True
        await s.flush()
        for channel, address in _identities(row.get("聊天账号", ""), channels):
            link = await s.scalar(
                select(ChatIdentity).where(ChatIdentity.channel == channel, ChatIdentity.address == address)
            )
            if link is None:
                s.add(ChatIdentity(person_id=person.id, channel=channel, address=address, created_by=by))
            else:
                link.person_id = person.id
            report.identities += 1
        report.people += 1
    await s.flush()
    return report


def read_text(path: Path | None) -> str:
    return path.read_text(encoding="utf-8-sig") if path else ""
