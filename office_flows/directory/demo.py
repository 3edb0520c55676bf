"""The demo district's directory (梅江区), loaded on first start when demo data is on."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.directory.importer import ImportReport, import_directory
from office_flows.directory.models import Department


async def directory_is_empty(s: AsyncSession) -> bool:
    return (await s.scalar(select(func.count()).select_from(Department))) == 0


async def load_demo_directory(s: AsyncSession) -> ImportReport:
    files = resources.files("office_flows.directory")
    report = await import_directory(
        s,
        (files / "demo_departments.csv").read_text(encoding="utf-8"),
        (files / "demo_people.csv").read_text(encoding="utf-8"),
        by="demo",
    )
    if report.errors:  # the shipped files are ours: a mistake in them is a bug
        raise RuntimeError("demo directory is invalid: " + "; ".join(report.errors))
    return report
