"""The catalogue of public services that offices offer.

A ``Service`` names the department (by its code, the same in every office) that handles it, a
deadline in working days and a fee in base calculation amounts (BHM). Forms, applications and
tracking build on it.
"""

from decimal import Decimal

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
