"""Uzbek Latin <-> Uzbek Cyrillic transliteration and a script-blind search key.

The portal publishes every page in both official Uzbek scripts and citizens type queries in
either one, with whatever apostrophe their keyboard produces. This module is the single place
that knows the mapping, so page rendering and the search index cannot drift apart.

Apostrophes
    Uzbek Latin uses two apostrophe-like letters: the modifier letter turned comma ``ʻ``
    (U+02BB) inside the letters ``oʻ`` and ``gʻ``, and the modifier letter apostrophe ``ʼ``
    (U+02BC) for the tutuq belgisi (glottal stop, "maʼlumot", "saʼy"). People type an ASCII
    apostrophe, a backtick, ‘ or ’ for either, so :func:`normalize_apostrophes` restores the two
    canonical letters: after o/O/g/G the variant is ``ʻ``, anywhere else inside a word it is
    ``ʼ``. A variant that does not follow a letter (an opening quote, a feet/minutes mark after
    a digit) is not part of a word and is left alone. A closing quote right after a word
    cannot be told from a word-final tutuq ("mamnuʼ") and becomes ʼ; Uzbek typography quotes
    with «» or “”, so this is rare.

Latin -> Cyrillic (:func:`latin_to_cyrillic`)
    Digraphs are read before single letters: ``sh``->ш, ``ch``->ч, ``oʻ``->ў, ``gʻ``->ғ,
    ``yo``->ё, ``yu``->ю, ``ya``->я. Single letters: q->қ, x->х, h->ҳ, j->ж, y->й, the rest
    map one to one; ``ʼ``->ъ. ``ng`` needs no rule because н+г is already нг.

    * ``e`` is э at the start of a word, after a vowel and after ъ (each starts a new syllable
      where Cyrillic е would be read "ye"), otherwise е.
    * ``ye`` is е at the start of a word or after a vowel, where е is read "ye". After a
      consonant е would be read "e", so the official spelling of such loanwords uses ъе
      ("obyekt" -> "объект", "syezd" -> "съезд").
    * ``sʼh`` (s and h kept apart by an apostrophe, as in "Isʼhoq") is сҳ; without the
      apostrophe it would be the digraph ш.
    * ``y`` before ``oʻ`` is й ("yoʻl" -> "йўл"), not the start of ``yo``.
    * ``t`` + ``s`` stays тс: deciding where ``ts`` is a Russian ц needs a dictionary.
    * Case follows the first Latin letter, so "SH", "Sh" -> Ш and "sh" -> ш. ъ, which has no
      Latin case to copy, takes the case of its neighbours.
    * Anything that is not an Uzbek Latin letter (digits, punctuation, Cyrillic, "c", "w") is
      copied unchanged.

Cyrillic -> Latin (:func:`cyrillic_to_latin`)
    The reverse mapping, plus ц->ts, э->e, ъ->ʼ, ь dropped, and the Russian-only щ->shch and
    ы->i. е is ``ye`` at the start of a word, after a vowel and after ъ/ь (the sign is then
    dropped, "объект" -> "obyekt", "пьеса" -> "pyesa"), otherwise ``e``. сҳ gets the
    separating apostrophe back (сҳ -> sʼh). A capital whose Latin form has several letters is
    written in full capitals inside an ALL-CAPS word ("ШАРОФ" -> "SHAROF") and in title case
    otherwise ("Шароф" -> "Sharof").

Round trips
    Latin -> Cyrillic -> Latin gives the same text up to apostrophe variants. The other way is
    lossy where Cyrillic has letters Latin lacks (ц, ь, щ, ы, й before о/у/а) — fine for search,
    which only needs :func:`fold_for_search` to agree.

A word boundary is any character that is not a letter; the Latin and Cyrillic letters and the
modifier letters ``ʻ``/``ʼ`` all count as letters (Unicode category L*).
"""

from __future__ import annotations

import re
from typing import Final

OKINA: Final = "\u02bb"  # ʻ  in oʻ, gʻ
TUTUQ: Final = "\u02bc"  # ʼ  tutuq belgisi (glottal stop)

APOSTROPHES: Final[frozenset[str]] = frozenset({OKINA, TUTUQ, "'", "`", "\u2018", "\u2019"})

_APOSTROPHE_RUN: Final = re.compile("[" + re.escape("".join(sorted(APOSTROPHES))) + "]+")
_STRIP_APOSTROPHES: Final = str.maketrans(dict.fromkeys(APOSTROPHES))

# Latin vowels are listed too so that mixed-script input is judged the same way.
_VOWELS: Final = frozenset("aeiouаеёиоуўэюяы")

_LATIN_DIGRAPHS: Final[dict[str, str]] = {
    "sh": "ш",
    "ch": "ч",
    "o" + OKINA: "ў",
    "g" + OKINA: "ғ",
    "yo": "ё",
    "yu": "ю",
    "ya": "я",
}

_LATIN_LETTERS: Final[dict[str, str]] = {
    "a": "а",
    "b": "б",
    "d": "д",
    "f": "ф",
    "g": "г",
    "h": "ҳ",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "x": "х",
    "y": "й",
    "z": "з",
}

_CYRILLIC_LETTERS: Final[dict[str, str]] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ё": "yo",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "x",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": TUTUQ,
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ў": "o" + OKINA,
    "қ": "q",
    "ғ": "g" + OKINA,
    "ҳ": "h",
}


def _is_letter(char: str) -> bool:
    # isalpha() is true for ʻ and ʼ (category Lm) and false for the typed quote marks, which is
    # exactly the split the word-boundary rule needs once apostrophes are normalised.
    return char.isalpha()


def _in_all_caps_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits in an ALL-CAPS word, judged from its neighbours.

    The following letter decides when it has case ("SHAROF" vs "Sharof"); at the end of a word
    the preceding letter does ("TOSH" vs "Tosh"). A lone capital counts as title case, so an
    initial such as "Ш." becomes "Sh.".
    """
    following = text[end] if end < len(text) else ""
    if following.isupper():
        return True
    if following.islower():
        return False
    preceding = text[start - 1] if start > 0 else ""
    return preceding.isupper()


def _with_case_of(cyrillic: str, latin_source: str) -> str:
    return cyrillic.upper() if latin_source[:1].isupper() else cyrillic


def normalize_apostrophes(text: str) -> str:
    """Replace every apostrophe variant inside a word with ʻ (after o/g) or ʼ (elsewhere).

    Idempotent: the choice depends only on the letter before a run of apostrophes, which this
    function never changes.
    """

    def canonical(match: re.Match[str]) -> str:
        start = match.start()
        preceding = text[start - 1] if start > 0 else ""
        if not _is_letter(preceding):
            return match.group()
        first = OKINA if preceding in "oOgG" else TUTUQ
        # Only one apostrophe can belong to oʻ/gʻ; any further ones are tutuq signs.
        return first + TUTUQ * (len(match.group()) - 1)

    return _APOSTROPHE_RUN.sub(canonical, text)


def latin_to_cyrillic(text: str) -> str:
    """Transliterate Uzbek Latin to Uzbek Cyrillic; other characters pass through unchanged."""
    text = normalize_apostrophes(text)
    out: list[str] = []

    def previous_output() -> str:
        return out[-1][-1] if out else ""

    def starts_syllable() -> bool:
        previous = previous_output()
        return not _is_letter(previous) or previous.lower() in _VOWELS

    i = 0
    length = len(text)
    while i < length:
        char = text[i]
        lower = char.lower()
        pair = text[i : i + 2].lower()

        if lower == "s" and text[i + 1 : i + 2] == TUTUQ and text[i + 2 : i + 3] in ("h", "H"):
            out.append(_with_case_of("с", char) + _with_case_of("ҳ", text[i + 2]))
            i += 3
        elif lower == "y" and text[i + 1 : i + 3].lower() == "o" + OKINA:
            out.append(_with_case_of("й", char))
            i += 1
        elif pair == "ye":
            if starts_syllable():
                out.append(_with_case_of("е", char))
            else:
                out.append(_with_case_of("ъ", char) + _with_case_of("е", text[i + 1]))
            i += 2
        elif pair == "ts" and text[i + 2 : i + 5].lower() in ("iya", "ion"):
            # Loanwords in -tsiya/-tsion (rezolyutsiya, Konstitutsiya) are written with ц; a
            # native t+s never comes before these endings.
            out.append(_with_case_of("ц", char))
            i += 2
        elif pair in _LATIN_DIGRAPHS:
            out.append(_with_case_of(_LATIN_DIGRAPHS[pair], char))
            i += 2
        elif lower == "e":
            after_sign = previous_output().lower() == "ъ"
            letter = "э" if starts_syllable() or after_sign else "е"
            out.append(_with_case_of(letter, char))
            i += 1
        elif char == TUTUQ:
            out.append("Ъ" if _in_all_caps_word(text, i, i + 1) else "ъ")
            i += 1
        else:
            cyrillic = _LATIN_LETTERS.get(lower)
            out.append(char if cyrillic is None else _with_case_of(cyrillic, char))
            i += 1
    return "".join(out)


def cyrillic_to_latin(text: str) -> str:
    """Transliterate Uzbek Cyrillic (and Russian-only letters) to Uzbek Latin."""
    out: list[str] = []
    length = len(text)
    for i, char in enumerate(text):
        lower = char.lower()
        following = text[i + 1].lower() if i + 1 < length else ""
        preceding = text[i - 1].lower() if i > 0 else ""

        if lower == "е":
            starts_syllable = not _is_letter(preceding) or preceding in _VOWELS
            latin = "ye" if starts_syllable or preceding in ("ъ", "ь") else "e"
        elif lower == "ъ" and following == "е":
            # The "ye" written for е already carries the sign's sound.
            latin = ""
        elif lower == "с" and following == "ҳ":
            latin = "s" + TUTUQ
        elif lower in _CYRILLIC_LETTERS:
            latin = _CYRILLIC_LETTERS[lower]
        else:
            out.append(char)
            continue

        if char != lower and latin:
            if _in_all_caps_word(text, i, i + 1):
                latin = latin.upper()
            else:
                latin = latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def fold_for_search(text: str) -> str:
    """Reduce text to a key that ignores script, case and apostrophes.

    Both the indexed text and the query go through this, so "Toʻraqoʻrgʻon", "To'raqo'rg'on",
    "Toraqorgon" and "Тўрақўрғон" all become "toraqorgon". Apostrophes are dropped rather than
    normalised because many people omit them altogether when typing.
    """
    # casefold rather than lower: it is the Unicode operation meant for caseless matching.
    return cyrillic_to_latin(text).casefold().translate(_STRIP_APOSTROPHES)
