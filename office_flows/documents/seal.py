"""Electronic seal: an SM2 signature (with SM3 digest, GB/T 32918) over the issued document's canonical JSON.

The key pair is made on first use under ``<data_dir>/keys`` (never in the repository); the
document row keeps the signature and the key's fingerprint, so verifying recomputes the
canonical text from what is stored now and any change to body, title, number or metadata fails.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gmssl import sm2, sm3

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


class Sealer:
    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._keys: tuple[str, str] | None = None

    def _load(self) -> tuple[str, str]:
        if self._keys is None:
            priv_path, pub_path = self.key_dir / PRIVATE_FILE, self.key_dir / PUBLIC_FILE
            if not priv_path.is_file():
                self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.key_dir.chmod(0o700)
                # SM2 wants d in [1, n-2] ((1 + d) must be invertible mod n); 64 random hex digits could miss it.
                private = "%064x" % (secrets.randbelow(_ORDER - 2) + 1)
                public = sm2.CryptSM2(private_key=private, public_key="")._kg(
                    int(private, 16), sm2.default_ecc_table["g"]
                )
                fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(private)
                pub_path.write_text(public)
            self._keys = (priv_path.read_text().strip(), pub_path.read_text().strip())
        return self._keys

    @property
    def key_id(self) -> str:
        return fingerprint(self._load()[1])

    def sign(self, payload: dict[str, Any]) -> str:
        private, public = self._load()
        return str(_sm2(private, public).sign_with_sm3(canonical_json(payload), secrets.token_hex(32)))

    def verify(self, payload: dict[str, Any], signature: str, key_id: str) -> Verdict:
        public = self._load()[1]
        if not signature:
            return Verdict(False, "该公文尚未签章。")
        if key_id != fingerprint(public):
            return Verdict(False, f"签章所用密钥（{key_id}）不是本系统当前的印章密钥。")
        try:
            ok = _sm2("", public).verify_with_sm3(signature, canonical_json(payload))
        except (ValueError, TypeError):
            ok = False
        return Verdict(True, "签章有效，内容未被改动。") if ok else Verdict(False, "签章与内容不符，公文可能已被改动。")
