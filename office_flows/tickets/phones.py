"""A ticket's contact number: what counts as one, and how it is shown (masked) wherever it is echoed back."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")


def phone_number(text: str) -> str | None:
    """A phone number as the ticket keeps it: a mobile, or a landline with its area code; else None."""
    number = re.sub(r"\s", "", text or "")
    return number if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number) else None


def mask_phone(number: str) -> str:
    """The number as a reply or a timeline shows it: "138****8000"; a number too short to mask is shown as is."""
    return number[:3] + "****" + number[-4:] if len(number) >= 11 else number
