"""Codes people read aloud or type from paper: tracking codes and verification codes.

Sixteen characters from an alphabet without the look-alikes 0/O and 1/I (5 bits each, so
80 bits of randomness from ``secrets``), printed in groups of four: ``K7QM-3XWD-9HTR-B2NF``.
Typed codes are accepted with or without the dashes, spaces, and in any case.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 16  # 16 × 5 bits = 80 bits
_NOT_IN_CODE = re.compile(r"[\s\-–—_.]")


def new_code() -> str:
    """A fresh random code, stored without dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(text: str) -> str:
    """The stored form of a typed code: upper case, separators dropped; "" if it cannot be one."""
    code = _NOT_IN_CODE.sub("", text or "").upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return ""
    return code


def format_code(code: str) -> str:
    """The printed form, in groups of four."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
