"""Demo catalogue: the services of ``services.json``, offered by every office, each with its
service page and form in the four languages."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from edms.demo import read_data
from edms.models import Office
from intake.models import Service, ServiceFormField, ServicePage
from portal.demo import ensure_child, ensure_translation, locales, publish
from portal.localized import localized, localized_names
from portal.models import ServiceCatalogPage
from portal.transliteration import latin_to_cyrillic


@transaction.atomic
def load_services() -> int:
    """Create the missing services; a new service is offered by every office."""
    created = 0
    offices = list(Office.objects.all())
    for order, row in enumerate(read_data("services.json")["services"]):
        service, was_created = Service.objects.get_or_create(
            code=row["code"],
            defaults={
                "department_code": row["department"],
                "deadline_working_days": row["deadline_working_days"],
                "fee_bhm": Decimal(str(row["fee_bhm"])),
                "required_documents": row.get("required_documents", []),
                "sort_order": order,
                **localized_names(row["name"]),
            },
        )
        if was_created:
            service.offices.set(offices)
            created += 1
    return created


def _label(labels: dict[str, str], language: str) -> str:
    if language == "uz-cyrl":
        return latin_to_cyrillic(labels["uz-latn"])
    return labels.get("uz-latn" if language == "uz" else language) or labels["uz-latn"]


def _form_field(row: dict[str, Any], order: int, language: str) -> ServiceFormField:
    field = ServiceFormField(
        sort_order=order,
        clean_name=row["name"],
        label=_label(row["label"], language),
        field_type=row["type"],
        required=row.get("required", False),
        choices="\n".join(row.get("choices", [])),
        pattern=row.get("pattern", ""),
    )
    if "min" in row:
        field.min_value = Decimal(str(row["min"]))
    if "max" in row:
        field.max_value = Decimal(str(row["max"]))
    # A trade place or an advert is asked for a period yet to come.
    if row["type"] == "date":
        field.not_in_past = True
    if row["name"] == "to_date":
        field.not_before = "from_date"
    return field


def _intro(service: Service, language: str) -> str:
    with translation.override(language):
        text = _(
            "Apply online or at the One-Stop-Shop of your khokimiyat. Your application is "
            "registered at once, and you follow it with the tracking code on your receipt."
        )
    return f"<p>{text}</p>"


def load_service_pages() -> int:
    """A service page with its form for every service, in every language, under the catalogue."""
    created = 0
    rows = {row["code"]: row for row in read_data("services.json")["services"]}
    loc = locales()
    catalogue = ServiceCatalogPage.objects.filter(locale=loc["uz"]).first()
    if catalogue is None:
        return 0
    for service in Service.objects.filter(code__in=rows):
        row = rows[service.code]
        page, was_created = ensure_child(
            catalogue,
            ServicePage(
                slug=service.code,
                title=service.name_uz,
                service=service,
                intro=_intro(service, "uz"),
                form_fields=[
                    _form_field(field, order, "uz") for order, field in enumerate(row["fields"])
                ],
            ),
        )
        created += was_created
        for code, locale in loc.items():
            if code == "uz":
                continue
            translated, was_created = ensure_translation(
                page,
                locale,
                {"title": localized(service, "name", code), "intro": _intro(service, code)},
            )
            if was_created:
                labels = {field["name"]: field["label"] for field in row["fields"]}
                for field in translated.form_fields.all():
                    if field.clean_name in labels:
                        field.label = _label(labels[field.clean_name], code)
                        field.save(update_fields=["label"])
                publish(ServicePage.objects.get(pk=translated.pk))
                created += 1
    return created
