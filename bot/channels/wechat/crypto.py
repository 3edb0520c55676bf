"""WeChat's message signature and encryption, exactly as the platforms publish them.

- URL verification of an official account (明文模式): ``signature = sha1(sorted(token, timestamp, nonce))``.
- Safe mode (安全模式) of an official account and every WeCom callback (WXBizMsgCrypt): the message is
  ``16 random bytes + 4-byte network-order length + message + receive id`` (the AppID, or the CorpID),
  PKCS#7-padded to a multiple of 32 bytes, encrypted with AES-256-CBC under ``base64(EncodingAESKey + "=")``
  with the key's first 16 bytes as the IV, and sent in base64; ``msg_signature`` is
  ``sha1(sorted(token, timestamp, nonce, encrypt))``.

Pure functions and one small class; no network, no clock (the caller passes timestamps and nonces).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from Crypto.Cipher import AES

BLOCK = 32  # WeChat pads to 32 bytes (not AES's 16)
AES_KEY_CHARS = 43


class CryptoError(ValueError):
    """A message that does not verify or decrypt; ``code`` is the sample library's error number."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


# The error numbers of Tencent's WXBizMsgCrypt samples (logged, never shown to the sender).
VALIDATE_SIGNATURE = -40001
PARSE_XML = -40002
ILLEGAL_AES_KEY = -40004
VALIDATE_RECEIVE_ID = -40005
DECRYPT_AES = -40007
ILLEGAL_BUFFER = -40008
DECODE_BASE64 = -40010


def signature(*parts: str) -> str:
    """sha1 of the parts sorted as strings and joined: the plain URL signature and ``msg_signature``."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def pkcs7_pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= BLOCK or len(data) < n or data[-n:] != bytes([n]) * n:
        raise CryptoError(DECRYPT_AES, "bad padding")
    return data[:-n]


class MsgCrypt:
    """WXBizMsgCrypt for one account: its token, EncodingAESKey and receive id (AppID or CorpID)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if len(encoding_aes_key) != AES_KEY_CHARS:
            raise CryptoError(ILLEGAL_AES_KEY, "EncodingAESKey must have 43 characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise CryptoError(ILLEGAL_AES_KEY, "EncodingAESKey is not base64") from exc
        if len(key) != 32:
            raise CryptoError(ILLEGAL_AES_KEY, "EncodingAESKey must decode to 32 bytes")
        self.token = token
        self.key = key
        self.receive_id = receive_id

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return signature(self.token, timestamp, nonce, encrypt)

    def check(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        if not same(msg_signature, self.sign(timestamp, nonce, encrypt)):
            raise CryptoError(VALIDATE_SIGNATURE, "msg_signature does not match")

    def encrypt(self, plain: str, *, random16: bytes | None = None) -> str:
        """The base64 ciphertext of ``plain`` (``random16``: fixed random bytes, for tests only)."""
        body = plain.encode()
        rnd = random16 if random16 is not None else secrets.token_bytes(16)
        packed = rnd + struct.pack(">I", len(body)) + body + self.receive_id.encode()
        cipher = AES.new(self.key, AES.MODE_CBC, self.key[:16])
        return base64.b64encode(cipher.encrypt(pkcs7_pad(packed))).decode()

    def decrypt(self, encrypt: str) -> str:
        """The message inside ``encrypt``; CryptoError when it is not for this account or was tampered with."""
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError(DECODE_BASE64, "ciphertext is not base64") from exc
        if not raw or len(raw) % 16:
            raise CryptoError(DECRYPT_AES, "ciphertext length is not a multiple of the AES block")
        plain = pkcs7_unpad(AES.new(self.key, AES.MODE_CBC, self.key[:16]).decrypt(raw))
        if len(plain) < 20:
            raise CryptoError(ILLEGAL_BUFFER, "message too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise CryptoError(ILLEGAL_BUFFER, "length field beyond the message")
        body, receive_id = plain[20 : 20 + length], plain[20 + length :]
        if not same(receive_id.decode("utf-8", "replace"), self.receive_id):
            raise CryptoError(VALIDATE_RECEIVE_ID, "message is for another AppID/CorpID")
        try:
            return body.decode()
        except UnicodeDecodeError as exc:
            raise CryptoError(ILLEGAL_BUFFER, "message is not UTF-8") from exc

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """WeCom's (and safe mode's) URL check: the signature over ``echostr``, then its plaintext."""
        self.check(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        """A received message: check ``msg_signature`` over the ciphertext, then decrypt it."""
        self.check(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)

    def seal(self, plain: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """A reply: its ciphertext and ``msg_signature``."""
        encrypt = self.encrypt(plain)
        return encrypt, self.sign(timestamp, nonce, encrypt)
