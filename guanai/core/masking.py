"""Masking private details: the one function every output uses for people it must not expose.

A bureau viewer, a calendar feed or a reminder sees "张*" and "138****1234", never the name or
the number. Masking is deterministic and keeps just enough to tell records apart.
"""

from __future__ import annotations

import re

MASK = "*"


def mask_name(name: str | None) -> str:
    """张三 → 张*; the first character and one star per other character (欧阳娜娜 → 欧***)."""
    if not name:
        return ""
    name = name.strip()
    return name[0] + MASK * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234; a landline keeps its area code and last two digits."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]  # +86, the country code
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return MASK * len(digits)
    return f"{digits[:3]}{MASK * (len(digits) - 5)}{digits[-2:]}"


def mask_id_number(number: str | None) -> str:
    """The region code (first six characters) and the last one; the birth date is hidden."""
    if not number:
        return ""
    if len(number) < 10:  # not a real ID number: keeping seven characters would show it all
        return MASK * len(number)
    return number[:6] + MASK * (len(number) - 7) + number[-1]


def mask_text(text: str | None) -> str:
    """Free text (an address, a health note): only whether there is something."""
    return MASK * 3 if text else ""
