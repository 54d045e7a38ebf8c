"""Template tags for the site frame: the main menu, the language switcher, localized fields."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page, Site

from edms.access import is_staff_member
from portal.localized import active_language, language_codes, localized
from portal.transliteration import latin_to_cyrillic

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    active: bool


LANGUAGE_NAMES = {"uz": "Oʻzbekcha", "uz-cyrl": "Ўзбекча", "ru": "Русский", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[LanguageLink]:
    """The same page in each language: its translation if it has one, else that home page."""
    request: HttpRequest | None = context.get("request")
    page: Page | None = context.get("page")
    current = translation.get_language()
    translations: dict[str, Page] = {}
    if isinstance(page, Page):
        translations = {
            p.locale.language_code: p
            for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
    links = []
    for code in language_codes():
        url = ""
        if isinstance(page, Page):
            translated = translations.get(code)
            url = (translated.get_url(request) if translated else "") or f"/{code}/"
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append(LanguageLink(code, LANGUAGE_NAMES[code], url, code == current))
    return links


@register.simple_tag(takes_context=True)
def main_menu(context: dict[str, Any]) -> list[Page]:
    """Menu pages under the home page of the active language; intranet only for staff."""
    request: HttpRequest | None = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    home = site.root_page.localized
    pages = home.get_children().live().in_menu().specific()
    from portal.models import IntranetPage

    user = context.get("user")
    staff = user is not None and is_staff_member(user)
    return [p for p in pages if staff or not isinstance(p, IntranetPage)]


@register.simple_tag(takes_context=True)
def home_url(context: dict[str, Any]) -> str:
    request: HttpRequest | None = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return f"/{translation.get_language()}/"
    return site.root_page.localized.get_url(request) or "/"


@register.filter
def local(obj: Any, field: str) -> str:
    """``{{ office|local:"name" }}``: the field in the active language."""
    return localized(obj, field)


@register.filter
def uz_script(value: object) -> str:
    """Uzbek Latin free text (names, titles) shown in Cyrillic on the Uzbek Cyrillic site."""
    text = "" if value is None else str(value)
    return latin_to_cyrillic(text) if active_language() == "uz-cyrl" else text
