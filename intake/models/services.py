"""The catalogue of public services that offices offer.

A ``Service`` names the department (by its code, the same in every office) that handles it, a
deadline in working days and a fee in base calculation amounts (BHM). Forms, applications and
tracking build on it.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from edms.models import Office
from portal.localized import LocalizedNameMixin


class Service(LocalizedNameMixin):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    department_code = models.SlugField(
        _("handling department"),
        max_length=64,
        help_text=_("Code of the department that handles it in each office, e.g. land."),
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"), validators=[MinValueValidator(1)]
    )
    fee_bhm = models.DecimalField(
        _("fee (base calculation amounts)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    required_documents = models.JSONField(_("documents to bring"), default=list, blank=True)
    offices = models.ManyToManyField(
        Office, verbose_name=_("offered by"), related_name="services", blank=True
    )
    is_active = models.BooleanField(_("accepting applications"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        ordering = ["sort_order", "code"]

    def is_offered_by(self, office: Office) -> bool:
        return self.is_active and self.offices.filter(pk=office.pk).exists()


class RoutingRule(models.Model):
    """Where an application goes when the service's default (its department in the receiving
    office) is not right: for one office, for an answer's value, or to another office.

    The first matching rule by priority wins; a rule that names nothing more than the service
    applies to every application of it.
    """

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("when received by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty for every office."),
    )
    field_name = models.SlugField(
        _("when the answer to"),
        max_length=64,
        blank=True,
        allow_unicode=False,
        help_text=_("The name of a form field, e.g. works."),
    )
    field_value = models.CharField(
        _("is"), max_length=255, blank=True, help_text=_("The value that answer must have.")
    )
    department_code = models.SlugField(
        _("route to department"),
        max_length=64,
        blank=True,
        help_text=_("Code of the department; empty keeps the service's own department."),
    )
    target_office = models.ForeignKey(
        Office,
        verbose_name=_("route to office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Another office that handles these applications; empty keeps the receiving one."
        ),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["service", "priority", "pk"]

    def __str__(self) -> str:
        return f"{self.service.code} → {self.target_office or ''} {self.department_code}".strip()

    def clean(self) -> None:
        if bool(self.field_name) != bool(self.field_value):
            raise ValidationError(_("Give both the field and the value it must have, or neither."))
        if not self.department_code and self.target_office_id is None:
            raise ValidationError(_("Route to a department, an office, or both."))
