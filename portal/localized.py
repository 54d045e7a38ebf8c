"""Fields kept in the four interface languages, and reading the one for the active language.

Models with names in four languages keep one column per language (``name_uz``, ``name_uz_cyrl``,
``name_ru``, ``name_en``) so that lists sort and filter in the database. ``localized`` picks the
active language's value and falls back to Uzbek Latin, then to Uzbek Latin transliterated into
Cyrillic for ``uz-cyrl``: a missing translation never shows an empty label.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.transliteration import latin_to_cyrillic

DEFAULT_LANGUAGE = "uz"


def field_suffix(language: str) -> str:
    """``uz-cyrl`` -> ``uz_cyrl``: the column suffix for a language code."""
    return language.replace("-", "_")


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def active_language() -> str:
    language = translation.get_language() or DEFAULT_LANGUAGE
    return language if language in language_codes() else DEFAULT_LANGUAGE


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The value of ``<field>_<language>``, falling back to Uzbek Latin."""
    language = language or active_language()
    value: str = getattr(obj, f"{field}_{field_suffix(language)}", "") or ""
    if value:
        return value
    fallback: str = getattr(obj, f"{field}_{field_suffix(DEFAULT_LANGUAGE)}", "") or ""
    if language == "uz-cyrl":
        return latin_to_cyrillic(fallback)
    return fallback


def localized_names(names: dict[str, str], field: str = "name") -> dict[str, str]:
    """Columns from names keyed as in the data files (``uz-latn``, ``uz-cyrl``, ``ru``, ``en``);
    Cyrillic is derived from Latin where it is missing."""
    latin = names.get("uz-latn", "")
    return {
        f"{field}_uz": latin,
        f"{field}_uz_cyrl": names.get("uz-cyrl") or latin_to_cyrillic(latin),
        f"{field}_ru": names.get("ru", ""),
        f"{field}_en": names.get("en", ""),
    }


class LocalizedNameMixin(models.Model):
    """A name in the four languages; ``name`` reads the active one."""

    name_uz = models.CharField(_("name (Uzbek, Latin)"), max_length=255)
    name_uz_cyrl = models.CharField(_("name (Uzbek, Cyrillic)"), max_length=255, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")
