"""Exceptions to the working-day calendar that the public-holiday list cannot know about.

A ``CalendarOverride`` makes one date a day off (a bridge day the government declares late, a
local holiday, a correction to an estimated Islamic holiday) or a working day (a working Saturday
that pays for a bridge day), for one office or, with no office, for every office. The rules that
read them live in ``edms.calendar``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Extra day off")
        WORKING_DAY = "working_day", _("Working day")

    office = models.ForeignKey(
        "edms.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_overrides",
        help_text=_("Leave empty when the day applies to every office."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(
        _("reason"),
        max_length=255,
        blank=True,
        help_text=_("E.g. the decree that declared it, or the local holiday."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-date", "office"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "date"], name="calendar_override_per_office_date"
            ),
            # NULL never equals NULL in a unique index, so the all-offices rows need their own.
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(office__isnull=True),
                name="calendar_override_all_offices_date",
                violation_error_message=_("There is already an all-offices override on this date."),
            ),
        ]

    def __str__(self) -> str:
        where = str(self.office) if self.office_id else _("all offices")
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()} ({where})"
