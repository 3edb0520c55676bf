"""Editor pages: entries list and search, edit with diff and versions, import/export, hit test, misses."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from aiohttp import web

from admin import audit
from admin.appkeys import CLOCK, DB, INDEX, KB, NLU, NLU_THRESHOLD
from admin.guard import EDITORS, principal, route
from admin.kb_ops import FIELD_LABELS, KIND_LABELS, KbOps, diff, editable, unanswered_groups
from admin.web import back, form, render
from integrations.arbitration import Verdict, arbitrate
from kernel.identity import Role
from knowledge_base import store
from knowledge_base.importers import faq_table
from knowledge_base.importers.rows import ImportReport, RowProblem
from knowledge_base.models import EntryKind
from knowledge_base.normalize import clean_input
from knowledge_base.policy import Decision as KbDecision
from knowledge_base.service import KnowledgeBaseUnavailable
from knowledge_base.store import KbError
from nlu.client import NluUnavailable


def ops_of(request: web.Request) -> KbOps:
    app = request.app
    return KbOps(app[DB], app[CLOCK], app[INDEX], app[KB])


def _kind(request: web.Request) -> str:
    kind = request.match_info.get("kind", "faq")
    if kind not in KIND_LABELS:
        raise web.HTTPNotFound(text="未知的条目类型")
    return kind


async def entries(request: web.Request) -> web.Response:
    kind = request.query.get("kind", "faq")
    kind = kind if kind in KIND_LABELS else "faq"
    q, status = request.query.get("q", "").strip(), request.query.get("status", "")
    rows = await ops_of(request).entries(kind, q, status)
    return render(
        request,
        "kb_list.html",
        kind=kind,
        rows=rows,
        q=q,
        status=status,
        kinds=KIND_LABELS,
        statuses=store.STATUS_LABELS,
    )


def _entry_page(
    request: web.Request,
    kind: str,
    entry: object,
    versions: list[object],
    published: dict | None,
    values: dict,
    error: str = "",
    status: int = 200,
) -> web.Response:
    working = store.snapshot(entry) if entry is not None else {}  # type: ignore[arg-type]
    return render(
        request,
        "kb_entry.html",
        http_status=status,
        kind=kind,
        kind_label=KIND_LABELS[kind],
        entry=entry,
        versions=versions,
        diff=diff(published, {k: working.get(k) for k in editable(kind)}) if entry is not None else [],
        fields=editable(kind),
        labels=FIELD_LABELS,
        values=values,
        error=error,
        statuses=store.STATUS_LABELS,
    )


def _form_values(data: dict) -> dict[str, str]:
    return {
        k: "\n".join(v)
        if isinstance(v, list) and k != "tags"
        else "，".join(v)
        if isinstance(v, list)
        else ("" if v is None else str(v))
        for k, v in data.items()
    }


async def new_entry(request: web.Request) -> web.Response:
    kind = _kind(request)
    prefill = {k: request.query.get(k, "") for k in editable(kind)}
    return _entry_page(request, kind, None, [], None, prefill)


async def create_entry(request: web.Request) -> web.Response:
    kind = _kind(request)
    f = await form(request)
    try:
        e = await ops_of(request).create(kind, f, principal(request))
    except KbError as exc:
        return _entry_page(request, kind, None, [], None, f, str(exc), 400)
    raise back(f"/admin/kb/{kind}/{e.id}", "已保存为草稿，提交审核并发布后才会用于回答")


async def show_entry(request: web.Request) -> web.Response:
    kind, entry_id = _kind(request), int(request.match_info["id"])
    try:
        e, versions, published = await ops_of(request).detail(kind, entry_id)
    except KbError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    return _entry_page(request, kind, e, versions, published, _form_values(store.snapshot(e)))


async def edit_entry(request: web.Request) -> web.Response:
    kind, entry_id = _kind(request), int(request.match_info["id"])
    f = await form(request)
    ops = ops_of(request)
    try:
        await ops.edit(kind, entry_id, {k: f[k] for k in editable(kind) if k in f}, principal(request))
    except KbError as exc:
        e, versions, published = await ops.detail(kind, entry_id)
        return _entry_page(request, kind, e, versions, published, f, str(exc), 400)
    raise back(f"/admin/kb/{kind}/{entry_id}", "已保存为新的草稿版本")


MOVE_MESSAGES = {
    "review": "已提交审核",
    "published": "已发布，聊天回答几秒内生效",
    "archived": "已归档",
    "draft": "已退回草稿",
}


async def move_entry(request: web.Request) -> web.Response:
    kind, entry_id = _kind(request), int(request.match_info["id"])
    f = await form(request)
    to = f.get("to", "")
    try:
        await ops_of(request).move(kind, entry_id, to, principal(request), f.get("comment", ""))
    except KbError as exc:
        raise back(f"/admin/kb/{kind}/{entry_id}", f"未完成：{exc}") from None
    raise back(f"/admin/kb/{kind}/{entry_id}", MOVE_MESSAGES.get(to, "已更新"))


async def rollback_entry(request: web.Request) -> web.Response:
    kind, entry_id = _kind(request), int(request.match_info["id"])
    f = await form(request)
    try:
        e = await ops_of(request).rollback(kind, entry_id, int(f.get("version", "0")), principal(request))
    except (KbError, ValueError) as exc:
        raise back(f"/admin/kb/{kind}/{entry_id}", f"未完成：{exc}") from None
    raise back(f"/admin/kb/{kind}/{entry_id}", f"已恢复为第 {e.version} 版草稿；提交审核并发布后生效")


async def chat_verdict(request: web.Request, question: str, decision: KbDecision) -> Verdict:
    """What the chat would do with ``question`` for a citizen: the chat's own arbitration, NLU included."""
    nlu = request.app[NLU]()
    understood = None
    if nlu is not None:
        with contextlib.suppress(NluUnavailable):
            understood = await nlu.understand(clean_input(question))

    async def kb() -> KbDecision:
        return decision

    async def has_ticket() -> bool:  # the editor tries a question as a citizen who has filed nothing
        return False

    citizen = frozenset({Role.CITIZEN})
    return await arbitrate(clean_input(question), understood, citizen, request.app[NLU_THRESHOLD], kb, has_ticket)


async def hittest(request: web.Request) -> web.Response:
    question = request.query.get("q", "").strip()
    result, error, verdict, understood = None, "", None, None
    if question:
        try:
            result = ops_of(request).hittest(question)
            verdict = await chat_verdict(request, question, KbDecision(result["decision"]))
            understood = verdict.route
        except KnowledgeBaseUnavailable as exc:
            error = str(exc)
    return render(
        request, "kb_hittest.html", q=question, result=result, error=error, verdict=verdict, understood=understood
    )


async def unanswered(request: web.Request) -> web.Response:
    groups = await unanswered_groups(ops_of(request))
    return render(request, "kb_unanswered.html", groups=groups)


def _ids(f: dict[str, str]) -> list[int]:
    return [int(x) for x in f.get("ids", "").split(",") if x.strip().isdigit()]


async def unanswered_to_faq(request: web.Request) -> web.Response:
    f = await form(request)
    ids = _ids(f)
    if "answer" not in f:  # first step: a prefilled form
        values = {"question": f.get("question", ""), "similar_questions": f.get("similar", "")}
        return render(request, "kb_from_group.html", ids=",".join(map(str, ids)), values=values, error="")
    try:
        e = await ops_of(request).faq_from_group(ids, f, principal(request))
    except KbError as exc:
        return render(
            request, "kb_from_group.html", http_status=400, ids=",".join(map(str, ids)), values=f, error=str(exc)
        )
    raise back(f"/admin/kb/faq/{e.id}", "已由未答问题新建问答草稿；提交审核并发布后生效")


async def unanswered_to_similar(request: web.Request) -> web.Response:
    f = await form(request)
    try:
        faq_id = int(f.get("faq_id", "").strip().lstrip("#"))
        await ops_of(request).add_similar(_ids(f), faq_id, principal(request))
    except ValueError:
        raise back("/admin/kb/unanswered", "请填写要加入的问答编号（数字）") from None
    except KbError as exc:
        raise back("/admin/kb/unanswered", f"未完成：{exc}") from None
    raise back(f"/admin/kb/faq/{faq_id}", "已加入相似问题（新草稿版本）；发布后生效")


async def import_page(request: web.Request) -> web.Response:
    return render(request, "kb_import.html", report=None, token="")


async def import_upload(request: web.Request) -> web.Response:
    """Validate first (a dry run in a rolled-back transaction), apply only when asked and clean."""
    data = await request.post()
    upload = data.get("file")
    apply = data.get("apply") == "1"
    publish = data.get("publish") == "1"
    report = ImportReport()
    if not isinstance(upload, web.FileField):
        report.problems.append(RowProblem(0, "file", "请选择 CSV 或 XLSX 文件"))
        return render(request, "kb_import.html", http_status=400, report=report, applied=False)
    suffix = Path(upload.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(upload.file.read())
        try:
            rows, problems = faq_table.parse_rows(faq_table.read_table(path))
        except (ValueError, KeyError) as exc:
            report.problems.append(RowProblem(0, "file", str(exc)))
            return render(request, "kb_import.html", http_status=400, report=report, applied=False)
    report.problems.extend(problems)
    who = principal(request)
    if not report.problems:
        now = request.app[CLOCK].now()
        try:
            async with request.app[DB].session() as s:
                report = await faq_table.apply_rows(s, rows, actor=who.audit_name, now=now, publish=publish)
                if report.problems or not apply:
                    raise _DryRun
                audit.record(
                    s,
                    actor=who.audit_name,
                    action="kb.import",
                    obj=upload.filename or "",
                    now=now,
                    after=report.as_dict(),
                )
        except _DryRun:
            report.applied = False
        if report.applied and publish:
            await request.app[INDEX].sync()
    return render(
        request, "kb_import.html", http_status=200 if report.ok else 400, report=report, applied=report.applied
    )


class _DryRun(Exception):
    """Raised inside the session to roll a validation run back."""


async def export(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    async with request.app[DB].session() as s:
        rows = await faq_table.export_rows(s, published_only=request.query.get("published") == "1")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"faq.{fmt}"
        faq_table.write_table(rows, path)
        body = path.read_bytes()
    kind = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return web.Response(
        body=body, content_type=kind, headers={"Content-Disposition": f"attachment; filename=faq.{fmt}"}
    )


def setup(app: web.Application) -> None:
    route(app, "GET", "/admin/kb", entries, EDITORS)
    route(app, "GET", "/admin/kb/hittest", hittest, EDITORS)
    route(app, "GET", "/admin/kb/unanswered", unanswered, EDITORS)
    route(app, "POST", "/admin/kb/unanswered/faq", unanswered_to_faq, EDITORS)
    route(app, "POST", "/admin/kb/unanswered/similar", unanswered_to_similar, EDITORS)
    route(app, "GET", "/admin/kb/import", import_page, EDITORS)
    route(app, "POST", "/admin/kb/import", import_upload, EDITORS)
    route(app, "GET", "/admin/kb/export.{fmt:(csv|xlsx)}", export, EDITORS)
    route(app, "GET", "/admin/kb/{kind:(faq|item)}/new", new_entry, EDITORS)
    route(app, "POST", "/admin/kb/{kind:(faq|item)}", create_entry, EDITORS)
    route(app, "GET", "/admin/kb/{kind:(faq|item)}/{id:\\d+}", show_entry, EDITORS)
    route(app, "POST", "/admin/kb/{kind:(faq|item)}/{id:\\d+}", edit_entry, EDITORS)
    route(app, "POST", "/admin/kb/{kind:(faq|item)}/{id:\\d+}/status", move_entry, EDITORS)
    route(app, "POST", "/admin/kb/{kind:(faq|item)}/{id:\\d+}/rollback", rollback_entry, EDITORS)


__all__ = ["EntryKind", "setup"]
