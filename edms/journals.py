"""The standard journals every office keeps, one per kind of document."""

from edms.models import Journal, Office
from portal.localized import localized_names

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
            **localized_names({"uz-latn": uz, "ru": ru, "en": en}),
        )
        created += 1
    return created
