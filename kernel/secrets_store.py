"""Deployment secrets kept in the database, so that every worker of one deployment shares them.

The first worker to need a secret creates it (random, 32 bytes); a second worker racing it loses the insert
and reads the winner's value. Used to sign the web chat's session identities.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, Database, UTCDateTime


class DeploymentSecret(Base):
    __tablename__ = "kernel_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


async def deployment_secret(db: Database, name: str, now: datetime) -> bytes:
    """The deployment's secret ``name``, created on first use (the same for every worker)."""
    async with db.session() as s:
        value = await s.scalar(select(DeploymentSecret.value).where(DeploymentSecret.name == name))
    if value is not None:
        return bytes.fromhex(value)
    try:
        async with db.session() as s:
            s.add(DeploymentSecret(name=name, value=secrets.token_hex(32), created_at=now))
    except IntegrityError:
        pass  # another worker made it first
    async with db.session() as s:
        value = await s.scalar(select(DeploymentSecret.value).where(DeploymentSecret.name == name))
    assert value is not None
    return bytes.fromhex(value)


class Signer:
    """Signs short strings (a web chat identity) so that a client can carry them but never choose them."""

    def __init__(self, key: bytes, purpose: str) -> None:
        self._key = hashlib.sha256(key + b"/" + purpose.encode()).digest()

    def sign(self, value: str) -> str:
        mac = hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{value}.{mac}"

    def unsign(self, token: str) -> str | None:
        value, sep, mac = token.rpartition(".")
        if not sep or not value:
            return None
        expected = hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]
        return value if hmac.compare_digest(mac.encode(), expected.encode()) else None
