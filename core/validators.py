"""Checks of typed text shared by the forms of every app.

Names, addresses and free text keep whatever letters people type, in any script, but not the
invisible characters that change the direction of text: an override or isolate (U+202A-U+202E,
U+2066-U+2069) makes "Karimov" read as "vomiraK" or a file "fdp.exe" read as "exe.pdf", and a
direction mark (U+200E, U+200F, U+061C) reorders the numbers of an address around it. No
Uzbek, Russian or English text needs them, so a value holding one is refused, with a message
naming it, rather than changed behind the typist's back.

Numbers that are identifiers (PINFL, phone) take the ASCII digits 0-9 only: Python's
``str.isdigit`` and ``\\d`` also accept Arabic-Indic (٣), full-width (３) and other digits,
which look alike on screen and match nothing in other systems.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = frozenset(
    "\u061c"  # arabic letter mark
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
BIDI_MESSAGE = _(
    "This holds an invisible character that changes the direction of text (%(character)s), "
    "which can make it read differently from what it is. Type it again without it."
)


def reject_bidi_controls(value: str) -> None:
    """A form field validator: no bidirectional override, isolate or mark in ``value``."""
    found = next((ch for ch in value or "" if ch in BIDI_CONTROLS), None)
    if found is not None:
        raise ValidationError(
            BIDI_MESSAGE, code="bidi_control", params={"character": f"U+{ord(found):04X}"}
        )


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more of the digits 0-9 and nothing else."""
    return text.isascii() and text.isdigit()
