"""Tests for ``manage.py derive_cyrillic_messages`` (Uzbek Latin .po -> Uzbek Cyrillic .po)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.management.commands.derive_cyrillic_messages import transliterate_message

LATIN_PO = """\
# Uzbek Latin translations.
#
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: PACKAGE VERSION\\n"
"Language: uz\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

#: templates/portal/home_page.html:10
msgid "Latest notices"
msgstr "Soʻnggi eʼlonlar"

msgid "Notices"
msgstr "Eʼlonlar"

#, python-format
msgid "Decision within %(days)s working days"
msgstr "Qaror %(days)s ish kuni ichida"

msgid "Read the <a href=\\"https://my.gov.uz/oz\\">guide</a> &amp; rules"
msgstr "<a href=\\"https://my.gov.uz/oz\\">Yoʻriqnoma</a> &amp; qoidalarni oʻqing"

#, python-format
msgid "Decision within %(days)s working day"
msgid_plural "Decision within %(days)s working days"
msgstr[0] "Qaror %(days)s ish kuni ichida"
msgstr[1] "Qaror %(days)s ish kunida"

#, python-format
msgid "%(count)s of %(total)s, %%s"
msgstr "%(total)s tadan %(count)s ta, %%s"

#, python-format
msgid "%s left, %d%% done"
msgstr "%s qoldi, %d%% bajarildi"

msgid "Discount of more than 20%"
msgstr "20%dan ortiq chegirma"

msgid "Hello {name}"
msgstr "Salom, {name}"

msgid "Not translated yet"
msgstr ""

#, fuzzy
msgid "Guessed"
msgstr "Taxmin"
"""


@pytest.fixture
def catalogues(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "uz" / "LC_MESSAGES" / "django.po"
    source.parent.mkdir(parents=True)
    source.write_text(LATIN_PO, encoding="utf-8")
    target = tmp_path / "uz_Cyrl" / "LC_MESSAGES" / "django.po"
    return source, target


def _derive(source: Path, target: Path, *, check: bool = False) -> str:
    out = StringIO()
    call_command("derive_cyrillic_messages", source=source, target=target, check=check, stdout=out)
    return out.getvalue()


def _by_msgid(target: Path) -> dict[str, polib.POEntry]:
    return {entry.msgid: entry for entry in polib.pofile(str(target))}


def test_messages_are_transliterated(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    _derive(source, target)
    entries = _by_msgid(target)

    assert entries["Latest notices"].msgstr == "Сўнгги эълонлар"
    assert entries["Notices"].msgstr == "Эълонлар"
    assert entries["Latest notices"].occurrences == [("templates/portal/home_page.html", "10")]


def test_placeholders_and_markup_are_untouched(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    _derive(source, target)
    entries = _by_msgid(target)

    assert entries["Decision within %(days)s working days"].msgstr == "Қарор %(days)s иш куни ичида"
    assert "python-format" in entries["Decision within %(days)s working days"].flags
    assert (
        entries['Read the <a href="https://my.gov.uz/oz">guide</a> &amp; rules'].msgstr
        == '<a href="https://my.gov.uz/oz">Йўриқнома</a> &amp; қоидаларни ўқинг'
    )
    # %% is a literal percent sign: the "s" after it is text.
    assert entries["%(count)s of %(total)s, %%s"].msgstr == "%(total)s тадан %(count)s та, %%с"
    assert entries["%s left, %d%% done"].msgstr == "%s қолди, %d%% бажарилди"
    assert entries["Hello {name}"].msgstr == "Салом, {name}"
    # Not a format string: % is a percent sign and the suffix after it is Uzbek text.
    assert entries["Discount of more than 20%"].msgstr == "20%дан ортиқ чегирма"


def test_plural_forms(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    _derive(source, target)
    plural = _by_msgid(target)["Decision within %(days)s working day"]

    assert plural.msgstr_plural == {
        0: "Қарор %(days)s иш куни ичида",
        1: "Қарор %(days)s иш кунида",
    }


def test_empty_and_fuzzy_entries(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    _derive(source, target)
    entries = _by_msgid(target)

    assert entries["Not translated yet"].msgstr == ""
    assert entries["Guessed"].fuzzy
    assert entries["Guessed"].msgstr == "Тахмин"


def test_header(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    _derive(source, target)
    catalogue = polib.pofile(str(target))

    assert catalogue.metadata["Language"] == "uz_Cyrl"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert catalogue.metadata["Project-Id-Version"] == "PACKAGE VERSION"
    assert "GENERATED" in catalogue.header


def test_check(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    with pytest.raises(CommandError, match="out of date"):
        _derive(source, target, check=True)  # nothing generated yet

    _derive(source, target)
    assert "up to date" in _derive(source, target, check=True)

    source.write_text(LATIN_PO.replace("Soʻnggi", "Yangi"), encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        _derive(source, target, check=True)


def test_derivation_is_stable(catalogues: tuple[Path, Path]) -> None:
    source, target = catalogues
    _derive(source, target)
    first = target.read_text(encoding="utf-8")
    _derive(source, target)
    assert target.read_text(encoding="utf-8") == first


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("ID-karta va PDF hujjat", "ID-карта ва PDF ҳужжат"),
        ("my.gov.uz orqali, info@jizzax.uz", "my.gov.uz орқали, info@jizzax.uz"),
        ("Batafsil: www.lex.uz", "Батафсил: www.lex.uz"),
        ("Sahifa 1", "Саҳифа 1"),
        ('Boʻlim kodi, masalan: "land".', 'Бўлим коди, масалан: "land".'),
    ],
)
def test_transliterate_message_protects_non_uzbek_text(latin: str, cyrillic: str) -> None:
    assert transliterate_message(latin) == cyrillic
