"""Tests for portal.transliteration (pure Python, no Django)."""

from __future__ import annotations

from typing import Any

import pytest

from edms.demo import read_data
from portal.transliteration import (
    APOSTROPHES,
    cyrillic_to_latin,
    fold_for_search,
    latin_to_cyrillic,
    normalize_apostrophes,
)

OFFICES: list[dict[str, Any]] = read_data("offices.json")["offices"]


def test_offices_file_is_not_empty() -> None:
    # Guards against the parametrized tests silently collecting nothing.
    assert len(OFFICES) >= 27


@pytest.mark.parametrize("office", OFFICES, ids=[office["code"] for office in OFFICES])
def test_office_name_latin_to_cyrillic(office: dict[str, Any]) -> None:
    name = office["name"]
    assert latin_to_cyrillic(name["uz-latn"]) == name["uz-cyrl"]


@pytest.mark.parametrize("office", OFFICES, ids=[office["code"] for office in OFFICES])
def test_office_name_cyrillic_to_latin_round_trip(office: dict[str, Any]) -> None:
    name = office["name"]
    assert cyrillic_to_latin(name["uz-cyrl"]) == normalize_apostrophes(name["uz-latn"])


def test_apostrophe_set() -> None:
    assert {"\u02bb", "\u02bc", "'", "`", "\u2018", "\u2019"} == APOSTROPHES


@pytest.mark.parametrize("apostrophe", sorted(APOSTROPHES), ids=lambda a: f"U+{ord(a):04X}")
@pytest.mark.parametrize(
    ("template", "cyrillic"),
    [
        ("To{0}raqo{0}rg{0}on", "Тўрақўрғон"),
        ("G{0}allaorol", "Ғаллаорол"),
        ("ma{0}lumot", "маълумот"),
    ],
)
def test_every_apostrophe_variant_gives_the_same_cyrillic(
    apostrophe: str, template: str, cyrillic: str
) -> None:
    assert latin_to_cyrillic(template.format(apostrophe)) == cyrillic


@pytest.mark.parametrize("apostrophe", sorted(APOSTROPHES), ids=lambda a: f"U+{ord(a):04X}")
def test_normalize_apostrophes_picks_the_letter_by_position(apostrophe: str) -> None:
    a = apostrophe
    latin = f"O{a}zbekiston g{a}alla ma{a}lumot sa{a}y"
    assert normalize_apostrophes(latin) == "Oʻzbekiston gʻalla maʼlumot saʼy"


@pytest.mark.parametrize(
    "text",
    [
        "Toʻraqoʻrgʻon",
        "To'raqo'rg'on",
        "ma`lumot sa’y",
        "o''g``x‘’",
        "'quoted' 5' `x` ʼ ʻ",
        "",
        "Тўрақўрғон",
    ],
)
def test_normalize_apostrophes_is_idempotent(text: str) -> None:
    once = normalize_apostrophes(text)
    assert normalize_apostrophes(once) == once


def test_normalize_apostrophes_leaves_apostrophes_outside_words_alone() -> None:
    # Not after a letter, so an opening quote or a feet mark rather than part of a word.
    assert normalize_apostrophes("'Salom' 5' ‘x") == "'Salomʼ 5' ‘x"


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("SHAROF RASHIDOV", "ШАРОФ РАШИДОВ"),
        ("Sharof Rashidov", "Шароф Рашидов"),
        ("sharof", "шароф"),
        ("Chust", "Чуст"),
        ("CHUST", "ЧУСТ"),
        ("Yangiobod", "Янгиобод"),
        ("Eshon", "Эшон"),
        ("ESHON", "ЭШОН"),
        ("poema", "поэма"),
        ("Isʼhoq", "Исҳоқ"),
        ("Is'hoq", "Исҳоқ"),
        ("ISʼHOQ", "ИСҲОҚ"),
        ("MAʼLUMOT", "МАЪЛУМОТ"),
        ("yoʻl", "йўл"),
        ("Yoʻq", "Йўқ"),
        ("yozuv", "ёзув"),
        ("Yunus", "Юнус"),
        ("Yevropa", "Европа"),
        ("obyekt", "объект"),
        ("sheʼr", "шеър"),
        ("Mingbuloq", "Мингбулоқ"),
        ("tashqi", "ташқи"),
        ("Xorazm", "Хоразм"),
        ("Jizzax", "Жиззах"),
        ("Ketma-ket", "Кетма-кет"),
    ],
)
def test_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


def test_latin_t_s_is_not_guessed_to_be_ts() -> None:
    assert latin_to_cyrillic("Tsement, otsiz") == "Тсемент, отсиз"


def test_latin_to_cyrillic_leaves_digits_punctuation_and_cyrillic_untouched() -> None:
    assert latin_to_cyrillic("Hello, World! 2026") == "Ҳелло, Wорлд! 2026"
    assert latin_to_cyrillic("Тошкент, 2026-йил.") == "Тошкент, 2026-йил."
    assert latin_to_cyrillic("№ 5 (12%) — «x»") == "№ 5 (12%) — «х»"


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("ШАРОФ РАШИДОВ", "SHAROF RASHIDOV"),
        ("Шароф Рашидов", "Sharof Rashidov"),
        ("ТОШ", "TOSH"),
        ("Ш. Рашидов", "Sh. Rashidov"),
        ("ЎЗБЕКИСТОН", "OʻZBEKISTON"),
        ("Ўзбекистон", "Oʻzbekiston"),
        ("Ғаллаорол", "Gʻallaorol"),
        ("Исҳоқ", "Isʼhoq"),
        ("маълумот", "maʼlumot"),
        ("Европа", "Yevropa"),
        ("поэма", "poema"),
        ("тема", "tema"),
        ("объект", "obyekt"),
        ("ОБЪЕКТ", "OBYEKT"),
        ("пьеса", "pyesa"),
        ("цирк", "tsirk"),
        ("Щука", "Shchuka"),
        ("ЩУКА", "SHCHUKA"),
        ("сыр", "sir"),
        ("Ёш", "Yosh"),
        ("ЮНУС", "YUNUS"),
        ("Ялта", "Yalta"),
        ("Hello, 2026!", "Hello, 2026!"),
    ],
)
def test_cyrillic_to_latin(cyrillic: str, latin: str) -> None:
    assert cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    "text",
    [
        "Toʻraqoʻrgʻon",
        "To'raqo'rg'on",
        "To`raqo`rg`on",
        "To‘raqo’rg’on",
        "Toraqorgon",
        "TORAQORGON",
        "Тўрақўрғон",
        "ТЎРАҚЎРҒОН",
    ],
)
def test_fold_for_search_matches_every_spelling(text: str) -> None:
    assert fold_for_search(text) == "toraqorgon"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Gʻallaorol", "gallaorol"),
        ("Ғаллаорол", "gallaorol"),
        ("maʼlumot", "malumot"),
        ("маълумот", "malumot"),
        ("Исҳоқ", "ishoq"),
        ("Is'hoq", "ishoq"),
        ("Sharof Rashidov tumani", "sharof rashidov tumani"),
        ("Шароф Рашидов тумани", "sharof rashidov tumani"),
        ("2026-yil, 5-son!", "2026-yil, 5-son!"),
        ("2026-йил, 5-сон!", "2026-yil, 5-son!"),
    ],
)
def test_fold_for_search(text: str, folded: str) -> None:
    assert fold_for_search(text) == folded


# Tokens of the Uzbek Latin alphabet. Digraphs are tokens of their own so that "oʻ"/"gʻ" keep
# their apostrophe, and every typed apostrophe variant is included on its own as well. No
# restriction is needed: "ts" stays тс, "yo" is always ё and comes back as "yo", "ye" after a
# consonant is written ъе and comes back as "ye", and сҳ comes back as "sʼh", so every such
# string survives the trip up to apostrophes and case.
_LATIN_TOKENS = [
    *"abdefghijklmnopqrstuvxyz",
    "oʻ",
    "gʻ",
    "sh",
    "ch",
    "ng",
    *sorted(APOSTROPHES),
]
_TOKENS = sorted(
    {*_LATIN_TOKENS, *(t.upper() for t in _LATIN_TOKENS), *(t.title() for t in _LATIN_TOKENS), " "}
)


def test_fold_is_the_same_for_latin_and_its_cyrillic() -> None:
    # Imported here so that only this test is skipped where hypothesis is not installed.
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    # database=None: the example database would otherwise leave a .hypothesis/ folder in the repo.
    @settings(max_examples=500, deadline=None, database=None)
    @given(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join))
    def check(text: str) -> None:
        assert fold_for_search(latin_to_cyrillic(text)) == fold_for_search(text)

    check()


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("rezolyutsiya", "резолюция"),
        ("Konstitutsiya", "Конституция"),
        ("operatsion", "операцион"),
        ("oʻtsa", "ўтса"),  # a native t+s stays тс
    ],
)
def test_loanwords_in_tsiya_take_tse(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic
    assert cyrillic_to_latin(cyrillic) == latin
