"""The analysis both backends share: scripts, apostrophes, Russian forms, codes, highlights."""

import pytest

from search.backends.base import highlight, one_edit_variants
from search.text import code_key, query_terms, terms


@pytest.mark.parametrize(
    "written",
    [
        "Toʻraqoʻrgʻon",
        "To'raqo'rg'on",
        "To`raqo`rg`on",
        "To‘raqo’rg‘on",
        "Toraqorgon",
        "Тўрақўрғон",
        "ТЎРАҚЎРҒОН",
    ],
)
def test_every_spelling_of_a_place_gives_the_same_term(written: str) -> None:
    assert terms(written) == ["toraqorgon"]


def test_russian_forms_meet_at_their_stem_and_keep_their_own_key() -> None:
    stems = {form: terms(form)[-1] for form in ("письмо", "письма", "письмами", "Письмом")}
    assert len(set(stems.values())) == 1
    assert terms("заявление")[0] != terms("заявление")[-1]  # the word and its stem
    assert set(terms("заявлений")) & set(terms("заявление"))


def test_words_are_cut_on_punctuation_but_uzbek_apostrophes_stay_inside() -> None:
    assert terms("Maʼlumot: oʻrta-maxsus (2026)") == ["malumot", "orta", "maxsus", "2026"]
    assert query_terms("xat Xat XAT") == ["xat"]


def test_codes_compare_by_letters_and_digits_in_either_script() -> None:
    assert code_key("A-12/26") == code_key("a 12 26") == code_key("А-12/26") == "a1226"
    assert code_key("7KQM-3XZP-HT9A-RW4E") == "7kqm3xzpht9arw4e"


def test_highlight_marks_every_spelling_and_escapes_the_text() -> None:
    text = "<b>Hurmatli</b> fuqaro! Тўрақўрғон tumani hokimligi xabar beradi."
    snippet = highlight(text, query_terms("Toʻraqoʻrgʻon"))
    assert "<mark>Тўрақўрғон</mark>" in snippet
    assert "&lt;b&gt;Hurmatli&lt;/b&gt;" in snippet
    assert "<b>" not in snippet


def test_one_edit_variants_let_typos_meet() -> None:
    typo, word = "hokimyat", "hokimiyat"
    assert typo in one_edit_variants(word)
    swapped = "hokimiyta"
    assert one_edit_variants(swapped) & one_edit_variants(word)
