"""Registration journals and their yearly counters.

Each office keeps journals by kind (incoming, outgoing, internal, citizens' applications). A
journal's ``JournalCounter`` row for a year holds the last number given; ``edms.numbering`` takes
the next one under a row lock inside the registering transaction, so numbers are unique and
gapless and restart every year.
"""

import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from edms.models.organisation import Office
from portal.localized import LocalizedNameMixin

DEFAULT_NUMBER_FORMAT = "{prefix}-{seq}/{yy}"
NUMBER_FORMAT_FIELDS = {"prefix", "seq", "yy", "yyyy"}


def validate_number_format(value: str) -> None:
    """The format must contain ``{seq}`` and only the known fields."""
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(value) if name}
    except ValueError as error:
        raise ValidationError(
            _("The number format is not valid: %(error)s"), params={"error": error}
        ) from error
    if "seq" not in fields:
        raise ValidationError(_("The number format must contain {seq}."))
    unknown = fields - NUMBER_FORMAT_FIELDS
    if unknown:
        raise ValidationError(
            _(
                "Unknown fields in the number format: %(fields)s. "
                "Use {prefix}, {seq}, {yy}, {yyyy}."
            ),
            params={"fields": ", ".join(sorted(unknown))},
        )


class Journal(LocalizedNameMixin):
    class Kind(models.TextChoices):
        INCOMING = "incoming", _("Incoming")
        OUTGOING = "outgoing", _("Outgoing")
        INTERNAL = "internal", _("Internal")
        APPLICATIONS = "applications", _("Citizens' applications")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="journals"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    prefix = models.CharField(_("prefix"), max_length=16)
    number_format = models.CharField(
        _("number format"),
        max_length=64,
        default=DEFAULT_NUMBER_FORMAT,
        validators=[validate_number_format],
        help_text=_("Fields: {prefix}, {seq}, {yy}, {yyyy}; e.g. {prefix}-{seq}/{yy}."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        ordering = ["office", "kind", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["office", "prefix"], name="journal_prefix_per_office")
        ]

    def format_number(self, seq: int, year: int) -> str:
        return self.number_format.format(
            prefix=self.prefix, seq=seq, yy=f"{year % 100:02d}", yyyy=f"{year:04d}"
        )


class JournalCounter(models.Model):
    journal = models.ForeignKey(
        Journal, verbose_name=_("journal"), on_delete=models.CASCADE, related_name="counters"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("journal counter")
        verbose_name_plural = _("journal counters")
        constraints = [
            models.UniqueConstraint(fields=["journal", "year"], name="one_counter_per_journal_year")
        ]

    def __str__(self) -> str:
        return f"{self.journal.prefix} {self.year}: {self.last_number}"
