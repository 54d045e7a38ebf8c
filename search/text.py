"""Text analysis shared by every search backend, so that both find the same things.

A text becomes *terms*: words cut on anything that is not a letter or a digit (apostrophes
inside Uzbek words are kept together first), each reduced by ``portal.transliteration
.fold_for_search`` to a key blind to script, case and apostrophe (``Toʻraqoʻrgʻon``,
``To'raqo'rg'on``, ``Toraqorgon`` and ``Тўрақўрғон`` all give ``toraqorgon``). A word in Cyrillic
also gives the key of its Russian stem (Snowball), so ``письма``, ``письмо`` and ``письмами``
meet; Uzbek Cyrillic words are left as they are by the Russian stemmer. The query goes through
the same analysis, so matching is a plain comparison of terms; the backends add fuzziness (one
edit) and weights.

Registration numbers and tracking codes are *codes*: ``code_key`` keeps their letters and digits
only, case-folded and in Latin, so "A-12/26", "a 12 26" and "А-12/26" (Cyrillic А) are one key.
"""

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

from portal.transliteration import APOSTROPHES, fold_for_search

# A word: letters and digits, with apostrophe-like letters inside it ("oʻrta", "maʼlumot").
_APOSTROPHE_CLASS = "".join(re.escape(a) for a in APOSTROPHES)
WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHE_CLASS}][^\W_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_TERM = 40  # longer "words" (hashes, base64) are noise for a search box

_russian = Stemmer.Stemmer("russian")


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    folded = fold_for_search(word)
    if not folded:
        return ()
    if not _CYRILLIC.search(word):
        return (folded,)
    stem = fold_for_search(_russian.stemWord(word.casefold()))
    return (folded,) if not stem or stem == folded else (folded, stem)


def terms(text: str) -> list[str]:
    """The terms of ``text`` in order (a word may give two: its key and its Russian stem's)."""
    found: list[str] = []
    for match in WORD.finditer(text or ""):
        word = match.group()
        if len(word) <= MAX_TERM:
            found.extend(_word_terms(word))
    return found


def terms_text(*texts: str) -> str:
    """The terms of several texts as one space-separated string (what the indexes store)."""
    return " ".join(term for text in texts for term in terms(text))


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in the order typed."""
    return list(dict.fromkeys(terms(text)))


def word_groups(text: str, wanted_terms: Sequence[str]) -> list[tuple[str, ...]]:
    """The query's words as groups of alternative terms (a Cyrillic word's key and its stem):
    the query matches when each group does. Terms not found in ``text`` are groups of their own.
    """
    wanted = list(dict.fromkeys(wanted_terms))
    known = set(wanted)
    groups: list[tuple[str, ...]] = []
    for match in WORD.finditer(text or ""):
        group = tuple(t for t in dict.fromkeys(terms(match.group())) if t in known)
        if group and group not in groups:
            groups.append(group)
    covered = {t for group in groups for t in group}
    return groups + [(t,) for t in wanted if t not in covered]


def code_key(code: str) -> str:
    """A registration number or tracking code reduced to its letters and digits."""
    return "".join(ch for ch in fold_for_search(code) if ch.isalnum())


def word_matches(word: str, wanted: Iterable[str]) -> bool:
    """Whether a word of the original text gives one of the ``wanted`` terms (highlighting)."""
    wanted_set = set(wanted)
    return any(term in wanted_set for term in _word_terms(word)) if len(word) <= MAX_TERM else False
