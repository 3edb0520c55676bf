"""Signature and encryption against the platforms' published examples (Tencent's WXBizMsgCrypt samples)."""

from __future__ import annotations

import base64

import pytest

from bot.channels.wechat import crypto
from bot.channels.wechat.crypto import CryptoError, MsgCrypt, signature

# WeCom's sample (WXBizMsgCrypt, Sample.cs / Sample.py): token, EncodingAESKey, CorpID.
WECOM = ("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
VERIFY = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
POST = {
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
    "encrypt": (
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
        "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+Ltw"
        "Gc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2"
        "t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDA"
        "Ve0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
    ),
}
# The official account's sample (公众平台 加解密示例): token, EncodingAESKey, AppID; a text message in safe mode.
OFFICIAL = ("spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
OFFICIAL_POST = {
    "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    "timestamp": "1409735669",
    "nonce": "1320562132",
    "encrypt": (
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9"
        "FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3"
        "yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue"
        "1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
    ),
}


def test_wecom_sample_url_verification() -> None:
    c = MsgCrypt(*WECOM)
    assert c.verify_url(VERIFY["msg_signature"], VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"]) == (
        "1616140317555161061"
    )


def test_wecom_sample_message_decrypts() -> None:
    plain = MsgCrypt(*WECOM).open(POST["msg_signature"], POST["timestamp"], POST["nonce"], POST["encrypt"])
    assert "<FromUserName><![CDATA[mycreate]]></FromUserName>" in plain
    assert "<Content><![CDATA[hello]]></Content>" in plain
    assert "<MsgId>4561255354251345929</MsgId>" in plain and "<AgentID>218</AgentID>" in plain


def test_official_account_sample_message_decrypts() -> None:
    p = OFFICIAL_POST
    plain = MsgCrypt(*OFFICIAL).open(p["msg_signature"], p["timestamp"], p["nonce"], p["encrypt"])
    assert "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" in plain
    assert "<Content><![CDATA[abcdteT]]></Content>" in plain and "<MsgId>6054768590064713728</MsgId>" in plain


def test_plain_signature_is_sha1_of_sorted_parts() -> None:
    # The official account's URL check: sha1("".join(sorted([token, timestamp, nonce]))).
    import hashlib

    expected = hashlib.sha1("".join(sorted(["spamtest", "1409735669", "1320562132"])).encode()).hexdigest()
    assert signature("spamtest", "1409735669", "1320562132") == expected
    # ... and msg_signature is the same over four parts: the sample's value comes out.
    assert signature(WECOM[0], VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"]) == VERIFY["msg_signature"]


def test_wrong_signature_is_refused() -> None:
    c = MsgCrypt(*WECOM)
    with pytest.raises(CryptoError) as err:
        c.open("0" * 40, POST["timestamp"], POST["nonce"], POST["encrypt"])
    assert err.value.code == crypto.VALIDATE_SIGNATURE
    with pytest.raises(CryptoError):  # the signature covers the timestamp too
        c.verify_url(VERIFY["msg_signature"], "1409659590", VERIFY["nonce"], VERIFY["echostr"])
    wrong_token = MsgCrypt("QDG6eL", WECOM[1], WECOM[2])
    with pytest.raises(CryptoError):
        wrong_token.verify_url(VERIFY["msg_signature"], VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"])


def test_wrong_corp_id_is_refused() -> None:
    other = MsgCrypt(WECOM[0], WECOM[1], "wx0000000000000000")
    with pytest.raises(CryptoError) as err:
        other.open(POST["msg_signature"], POST["timestamp"], POST["nonce"], POST["encrypt"])
    assert err.value.code == crypto.VALIDATE_RECEIVE_ID
    with pytest.raises(CryptoError):  # the official sample under another AppID
        MsgCrypt(OFFICIAL[0], OFFICIAL[1], "wx2c2769f8efd9abc3").decrypt(OFFICIAL_POST["encrypt"])


def test_tampered_ciphertext_is_refused() -> None:
    c = MsgCrypt(*WECOM)
    raw = bytearray(base64.b64decode(POST["encrypt"]))
    raw[-1] ^= 0x01  # the last block: the padding breaks
    tampered = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(CryptoError):
        c.decrypt(tampered)
    # Even re-signed (an attacker without the key cannot make it decrypt to a message for this corp).
    with pytest.raises(CryptoError):
        c.open(c.sign(POST["timestamp"], POST["nonce"], tampered), POST["timestamp"], POST["nonce"], tampered)
    raw = bytearray(base64.b64decode(POST["encrypt"]))
    raw[40] ^= 0x80  # a middle block: the corp id or the length no longer match
    with pytest.raises(CryptoError):
        c.decrypt(base64.b64encode(bytes(raw)).decode())
    for junk in ("not base64!", "", base64.b64encode(b"x" * 15).decode()):
        with pytest.raises(CryptoError):
            c.decrypt(junk)


def test_encrypt_roundtrip_and_layout() -> None:
    c = MsgCrypt(*WECOM)
    message = "<xml><Content><![CDATA[this is这是一个中文测试 a test]]></Content></xml>"
    encrypt, sig = c.seal(message, "1409659813", "1372623149")
    assert c.open(sig, "1409659813", "1372623149", encrypt) == message
    # The layout: 16 random bytes, 4-byte network-order length in bytes, the message, the CorpID; padded to 32.
    fixed = c.encrypt(message, random16=b"r" * 16)
    from Crypto.Cipher import AES

    key = base64.b64decode(WECOM[1] + "=")
    plain = AES.new(key, AES.MODE_CBC, key[:16]).decrypt(base64.b64decode(fixed))
    n = len(message.encode())
    assert plain[:16] == b"r" * 16 and int.from_bytes(plain[16:20], "big") == n
    assert plain[20 : 20 + n].decode() == message
    pad = plain[-1]
    assert len(plain) % 32 == 0 and 1 <= pad <= 32 and plain[20 + n : -pad] == WECOM[2].encode()
    assert c.encrypt(message) != c.encrypt(message)  # fresh random bytes each time


def test_bad_aes_key_is_refused() -> None:
    for key in ("short", WECOM[1] + "A", "!" * 43):
        with pytest.raises(CryptoError):
            MsgCrypt("t", key, "id")
