"""The standard journals every office keeps, one per kind of document."""

from edms.models import Journal, Office
from portal.transliteration import latin_to_cyrillic

# prefix, Uzbek, Russian, English
STANDARD_JOURNALS: dict[str, tuple[str, str, str, str]] = {
    Journal.Kind.INCOMING: ("K", "Kiruvchi hujjatlar", "Входящие документы", "Incoming documents"),
    Journal.Kind.OUTGOING: (
        "Ch",
        "Chiquvchi hujjatlar",
        "Исходящие документы",
        "Outgoing documents",
    ),
    Journal.Kind.INTERNAL: ("I", "Ichki hujjatlar", "Внутренние документы", "Internal documents"),
    Journal.Kind.APPLICATIONS: (
        "A",
        "Fuqarolar arizalari",
        "Заявления граждан",
        "Citizens' applications",
    ),
}


def office_ensure_journals(*, office: Office) -> int:
    """An office has one journal of each standard kind; returns how many were created."""
    created = 0
    for kind, (prefix, uz, ru, en) in STANDARD_JOURNALS.items():
        if office.journals.filter(kind=kind).exists():
            continue
        Journal.objects.create(
            office=office,
            kind=kind,
            prefix=prefix,
            name_uz=uz,
            name_uz_cyrl=latin_to_cyrillic(uz),
            name_ru=ru,
            name_en=en,
        )
        created += 1
    return created
