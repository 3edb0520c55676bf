"""Electronic seal: an SM2 signature (with SM3 digest, GB/T 32918) over the issued document's canonical JSON.

One seal key per deployment, shared by every worker: the key ring lives in the database (``seal_keys``, by
key id = the public key's fingerprint). The first worker that seals brings its key pair (made on first use
under ``<data_dir>/keys``, 0600, never in the repository) into the ring; a worker's older file key is added
too, so seals it made stay verifiable everywhere. ``rotate_seal_key`` makes a new active key; old keys stay
in the ring and keep verifying their seals. The document row keeps the signature and the key id, so
verifying recomputes the canonical text from what is stored now and any change fails.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gmssl import sm2, sm3
from sqlalchemy import Boolean, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, UTCDateTime

PRIVATE_FILE = "seal_sm2_private.hex"
PUBLIC_FILE = "seal_sm2_public.hex"
_ORDER = int(sm2.default_ecc_table["n"], 16)


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def fingerprint(public_hex: str) -> str:
    return sm3.sm3_hash(list(bytes.fromhex(public_hex)))[:16]


def _sm2(private: str, public: str) -> sm2.CryptSM2:
    """gmssl's constructor drops a "04" point prefix with ``lstrip("04")``, which also eats the leading
    digits of a bare key that happens to start with "04" (one fresh key in 256): its signatures never
    verified. Our keys are stored bare (x || y, 128 hex digits), so set the key after construction."""
    crypt = sm2.CryptSM2(private_key=private, public_key="")
    crypt.public_key = public
    return crypt


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


class SealKey(Base):
    __tablename__ = "seal_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public: Mapped[str] = mapped_column(String(256))
    private: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def new_key_pair() -> tuple[str, str]:
    # SM2 wants d in [1, n-2] ((1 + d) must be invertible mod n); 64 random hex digits could miss it.
    private = "%064x" % (secrets.randbelow(_ORDER - 2) + 1)
    public = sm2.CryptSM2(private_key=private, public_key="")._kg(int(private, 16), sm2.default_ecc_table["g"])
    return private, str(public)


async def load_key_ring(s: AsyncSession, sealer: Sealer, now: datetime) -> None:
    """Give the sealer the deployment's keys (adding this worker's file key to the ring if it is missing)."""
    private, public = sealer.file_keys()
    own = fingerprint(public)
    rows = list(await s.scalars(select(SealKey).order_by(SealKey.created_at, SealKey.key_id)))
    if own not in {r.key_id for r in rows}:
        row = SealKey(
            key_id=own, public=public, private=private, active=not any(r.active for r in rows), created_at=now
        )
        s.add(row)
        await s.flush()
        rows.append(row)
    active = next((r for r in rows if r.active), rows[0])
    sealer.use_ring({r.key_id: (r.private, r.public) for r in rows}, active.key_id)


async def rotate_seal_key(s: AsyncSession, now: datetime) -> str:
    """A new active seal key for the deployment; the old ones stay in the ring to verify old seals."""
    private, public = new_key_pair()
    key_id = fingerprint(public)
    await s.execute(update(SealKey).values(active=False))
    s.add(SealKey(key_id=key_id, public=public, private=private, active=True, created_at=now))
    await s.flush()
    return key_id


class Sealer:
    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._keys: tuple[str, str] | None = None
        self._ring: dict[str, tuple[str, str]] = {}
        self._active: str | None = None

    def use_ring(self, ring: dict[str, tuple[str, str]], active: str) -> None:
        self._ring, self._active = dict(ring), active

    def file_keys(self) -> tuple[str, str]:
        return self._load()

    def _current(self) -> tuple[str, str]:
        if self._active is not None:
            return self._ring[self._active]
        return self._load()

    def _load(self) -> tuple[str, str]:
        if self._keys is None:
            priv_path, pub_path = self.key_dir / PRIVATE_FILE, self.key_dir / PUBLIC_FILE
            if not priv_path.is_file():
                self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.key_dir.chmod(0o700)
                private, public = new_key_pair()
                fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(private)
                pub_path.write_text(public)
            self._keys = (priv_path.read_text().strip(), pub_path.read_text().strip())
        return self._keys

    @property
    def key_id(self) -> str:
        return fingerprint(self._current()[1])

    def sign(self, payload: dict[str, Any]) -> str:
        private, public = self._current()
        return str(_sm2(private, public).sign_with_sm3(canonical_json(payload), secrets.token_hex(32)))

    def verify(self, payload: dict[str, Any], signature: str, key_id: str) -> Verdict:
        if not signature:
            return Verdict(False, "该公文尚未签章。")
        known = {k: pub for k, (_, pub) in self._ring.items()} or {fingerprint(self._load()[1]): self._load()[1]}
        public = known.get(key_id)
        if public is None:
            return Verdict(False, f"签章所用密钥（{key_id}）不是本系统当前的印章密钥，也不在本系统的密钥记录中。")
        try:
            ok = _sm2("", public).verify_with_sm3(signature, canonical_json(payload))
        except (ValueError, TypeError):
            ok = False
        return Verdict(True, "签章有效，内容未被改动。") if ok else Verdict(False, "签章与内容不符，公文可能已被改动。")
