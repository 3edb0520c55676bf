"""The XML of WeChat and WeCom callbacks: parse what arrives (safely), build what goes back.

Parsing goes through defusedxml: a DOCTYPE, an entity or an external reference is refused, so a forged body
cannot expand entities or read files. Only a flat ``<xml>`` of simple elements is understood (every field of
the message and event formats is one); nested elements (``SelectedItems`` of a card event) are skipped.
"""

from __future__ import annotations

import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_XML = 64 * 1024


class BadXml(ValueError):
    pass


def parse(raw: bytes | str) -> dict[str, str]:
    """The fields of ``<xml>…</xml>`` by tag; BadXml for anything else."""
    if len(raw) > MAX_XML:
        raise BadXml("消息体过大")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXml("无法解析的 XML") from exc
    if root.tag != "xml":
        raise BadXml("根元素必须是 <xml>")
    return {child.tag: (child.text or "").strip() for child in root if len(child) == 0}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(text: str) -> str:
    """Text as the platforms write it (CDATA); a "]]>" inside is split across two sections, and characters
    XML 1.0 cannot carry are dropped."""
    return "<![CDATA[" + _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build(fields: dict[str, str | int]) -> str:
    """``<xml>`` with one element per field (our own fixed tags): strings in CDATA, numbers bare."""
    body = "".join(f"<{tag}>{v if isinstance(v, int) else cdata(v)}</{tag}>" for tag, v in fields.items())
    return f"<xml>{body}</xml>"


def text_reply(to_user: str, from_user: str, created: int, content: str) -> str:
    return build(
        {"ToUserName": to_user, "FromUserName": from_user, "CreateTime": created, "MsgType": "text", "Content": content}
    )


def encrypted_envelope(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The reply of safe mode and WeCom: the ciphertext with its signature (the samples' layout: TimeStamp bare)."""
    return build({"Encrypt": encrypt, "MsgSignature": msg_signature, "TimeStamp": int(timestamp), "Nonce": nonce})
