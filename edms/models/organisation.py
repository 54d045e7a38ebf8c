"""Offices, their departments, and the positions that make a Django user a member of staff.

An ``Office`` is one khokimiyat (a region, a city or a district, in a tree). Each office has its
own ``Department`` rows. A user is staff of an office when they hold a ``Position`` there; what
they may do comes from their roles (Django groups, see ``edms.roles``).
"""

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.localized import LocalizedNameMixin, localized


class Office(LocalizedNameMixin):
    class Kind(models.TextChoices):
        REGION = "region", _("Regional khokimiyat")
        CITY = "city", _("City khokimiyat")
        DISTRICT = "district", _("District khokimiyat")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address_uz = models.CharField(_("address (Uzbek, Latin)"), max_length=255, blank=True)
    address_uz_cyrl = models.CharField(_("address (Uzbek, Cyrillic)"), max_length=255, blank=True)
    address_ru = models.CharField(_("address (Russian)"), max_length=255, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opens_at = models.TimeField(_("opens at"), default=time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=time(18, 0))
    lunch_from = models.TimeField(_("lunch break from"), default=time(13, 0))
    lunch_to = models.TimeField(_("lunch break to"), default=time(14, 0))
    reception_days = models.CharField(
        _("citizens' reception"),
        max_length=255,
        blank=True,
        help_text=_("When the head receives citizens, e.g. every Saturday 10:00-13:00."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("on the system"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["sort_order", "code"]

    @property
    def address(self) -> str:
        return localized(self, "address")

    @property
    def region(self) -> "Office":
        """The region an office belongs to (a region is its own)."""
        return self if self.parent_id is None or self.parent is None else self.parent.region

    def head_position(self) -> "Position | None":
        """The head of the office: the lead of its leadership department."""
        return (
            Position.objects.select_related("user")
            .filter(office=self, department__code=Department.LEADERSHIP, is_lead=True)
            .first()
        )


class Department(LocalizedNameMixin):
    LEADERSHIP = "leadership"

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="departments"
    )
    code = models.SlugField(_("code"), max_length=64)
    description = models.CharField(_("what it handles"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["office", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="department_code_per_office")
        ]


class Position(models.Model):
    """What makes a user staff: their office, department, title and whether they lead it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="position",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="positions"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    title = models.CharField(_("title"), max_length=255)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    is_lead = models.BooleanField(_("leads the department"), default=False)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["office", "department", "-is_lead", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.title}"

    def clean(self) -> None:
        if self.department_id and self.department and self.department.office_id != self.office_id:
            raise ValidationError(
                {"department": _("The department must belong to the same office.")}
            )

    @property
    def full_name(self) -> str:
        parts = [self.user.last_name, self.user.first_name, self.patronymic]
        return " ".join(part for part in parts if part) or self.user.get_username()
