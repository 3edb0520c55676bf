"""A real Synapse homeserver for tests and the benchmark: its own venv, loopback only, SQLite or PostgreSQL.

Synapse is installed from PyPI into ~/.cache/govchat/synapse-venv (a marker file records a
finished install) because its pins must not touch the app's venv. One server runs per test
session; users are registered with the shared-secret admin API. The tests use SQLite; the benchmark
can use PostgreSQL (``postgres_dsn``), Synapse's production database, with psycopg2 in the same venv.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.env import free_port, need_or_skip

SYNAPSE_REQUIREMENT = "matrix-synapse"
POSTGRES_DRIVER = "psycopg2-binary"  # Synapse's PostgreSQL driver (the wheel: no libpq headers needed)
VENV = Path(os.environ.get("GOVCHAT_SYNAPSE_VENV", Path.home() / ".cache" / "govchat" / "synapse-venv"))
MARKER = ".govchat-synapse-installed"
SECRET = "govchat-test-shared-secret"


class SynapseUnavailable(RuntimeError):
    pass


def ensure_synapse_venv(venv: Path = VENV) -> Path:
    """The venv's python with Synapse installed (created on first use, then reused)."""
    python = venv / "bin" / "python"
    wanted = f"{SYNAPSE_REQUIREMENT} {POSTGRES_DRIVER}\n"
    marker = venv / MARKER
    if marker.is_file() and marker.read_text() == wanted and python.is_file():
        return python
    base = shutil.which("python3.11") or (sys.executable if sys.version_info[:2] == (3, 11) else None)
    if base is None:
        raise SynapseUnavailable("python3.11 not found")
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", SYNAPSE_REQUIREMENT, POSTGRES_DRIVER],
            check=True,
            capture_output=True,
            timeout=1800,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SynapseUnavailable(f"cannot install {SYNAPSE_REQUIREMENT}: {exc}") from exc
    marker.write_text(wanted)
    return python


_RELAXED = {"per_second": 10000, "burst_count": 10000}


def database_config(folder: Path, postgres_dsn: str) -> dict[str, object]:
    if not postgres_dsn:
        return {"name": "sqlite3", "args": {"database": str(folder / "homeserver.db")}}
    return {"name": "psycopg2", "args": {"dsn": postgres_dsn, "cp_min": 5, "cp_max": 10}}


def write_config(folder: Path, port: int, postgres_dsn: str = "") -> Path:
    """homeserver.yaml: one client listener on 127.0.0.1, no federation, relaxed rate limits."""
    log_config = folder / "log.yaml"
    log_config.write_text(
        "version: 1\n"
        "formatters: {precise: {format: '%(asctime)s %(name)s %(levelname)s %(message)s'}}\n"
        "handlers: {file: {class: logging.FileHandler, formatter: precise, "
        f"filename: {folder / 'homeserver.log'}}}}}\n"
        "root: {level: WARNING, handlers: [file]}\n"
        "disable_existing_loggers: false\n"
    )
    config = {
        "server_name": "localhost",
        "pid_file": str(folder / "homeserver.pid"),
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": database_config(folder, postgres_dsn),
        "log_config": str(log_config),
        "media_store_path": str(folder / "media"),
        "signing_key_path": str(folder / "signing.key"),
        "registration_shared_secret": SECRET,
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "macaroon_secret_key": uuid.uuid4().hex,
        "form_secret": uuid.uuid4().hex,
        "presence": {"enabled": False},
        "rc_message": _RELAXED,
        "rc_registration": _RELAXED,
        "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
        "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
        "rc_joins_per_room": _RELAXED,
        "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
        "rc_admin_redaction": _RELAXED,
        "rc_room_creation": _RELAXED,
        "rc_3pid_validation": _RELAXED,
    }
    path = folder / "homeserver.yaml"
    path.write_text(json.dumps(config, indent=1))  # JSON is valid YAML
    return path


@dataclass
class MatrixUser:
    user_id: str
    password: str
    access_token: str


class SynapseServer:
    def __init__(self, folder: Path, postgres_dsn: str = "", port: int = 0) -> None:
        self.folder = folder
        self.postgres_dsn = postgres_dsn  # an empty database with C collation, or "" for SQLite
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, python: Path, timeout: float = 120) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = write_config(self.folder, self.port, self.postgres_dsn)
        subprocess.run(
            [str(python), "-m", "synapse.app.homeserver", "-c", str(config), "--generate-keys"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        out = (self.folder / "stdout.log").open("wb")
        self.proc = subprocess.Popen(
            [str(python), "-m", "synapse.app.homeserver", "-c", str(config)], stdout=out, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SynapseUnavailable(f"Synapse exited; see {self.folder / 'stdout.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SynapseUnavailable(f"Synapse did not answer within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _json(self, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return dict(json.loads(resp.read()))

    def register(self, name: str | None = None, *, admin: bool = False) -> MatrixUser:
        """A new user via /_synapse/admin/v1/register (HMAC-SHA1 over nonce, name, password, admin flag)."""
        username = name or f"u{uuid.uuid4().hex[:10]}"
        password = uuid.uuid4().hex
        nonce = str(self._json("GET", "/_synapse/admin/v1/register")["nonce"])
        mac = hmac.new(SECRET.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join([nonce.encode(), username.encode(), password.encode(), b"admin" if admin else b"notadmin"])
        )
        body = {"nonce": nonce, "username": username, "password": password, "admin": admin, "mac": mac.hexdigest()}
        out = self._json("POST", "/_synapse/admin/v1/register", body)
        return MatrixUser(str(out["user_id"]), password, str(out["access_token"]))


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """One Synapse for the whole test session (skips on a laptop without it, fails in CI)."""
    try:
        python = ensure_synapse_venv()
    except SynapseUnavailable as exc:
        need_or_skip(False, str(exc))
        raise
    server = SynapseServer(tmp_path_factory.mktemp("synapse"))
    try:
        server.start(python)
    except (SynapseUnavailable, subprocess.SubprocessError) as exc:
        server.stop()
        need_or_skip(False, f"Synapse did not start: {exc}")
    yield server
    server.stop()
