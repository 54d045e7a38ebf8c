"""Service pages: a public service's guidance and its application form, built by editors.

A ``ServicePage`` hangs under the service catalogue, one per service and language. Its form is
Wagtail's form builder with our field types (phone, PINFL, cadastral number, files …): editors
add, reorder and relabel fields, and each field keeps its ``clean_name`` (the name in the API
and in the stored answers) when relabelled. Every form also asks for the applicant and the
office (``intake.forms``). A submission does not become a Wagtail ``FormSubmission`` but an
``Application`` and a registered document, through ``intake.submission``.

``FeedbackFormPage`` is Wagtail's plain form page, for surveys and feedback that need no
document; it also serves as the baseline in ``bench/intake_load.py``.
"""

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.fields import RichTextField, StreamField

from intake.models.services import Service
from portal.blocks import GuidanceStreamBlock

FIELD_TYPES = [
    ("text", _("Text")),
    ("textarea", _("Long text")),
    ("number", _("Number")),
    ("date", _("Date")),
    ("choice", _("Choice")),
    ("email", _("E-mail")),
    ("phone", _("Phone (+998)")),
    ("pinfl", _("PINFL (14 digits)")),
    ("cadastral", _("Cadastral number")),
    ("file", _("Files")),
]


class ServiceFormField(AbstractFormField):
    page = ParentalKey("intake.ServicePage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(_("field type"), max_length=16, choices=FIELD_TYPES)
    min_value = models.DecimalField(
        _("at least"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("at most"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    pattern = models.CharField(
        _("pattern"),
        max_length=255,
        blank=True,
        help_text=_("For text: a regular expression the answer must match, e.g. ^[0-9]{9}$."),
    )
    not_in_past = models.BooleanField(
        _("not in the past"), default=False, help_text=_("For dates: today or later.")
    )
    not_before = models.SlugField(
        _("not before the date in"),
        max_length=255,
        blank=True,
        help_text=_("For dates: the name of another date field this one may not precede."),
    )
    max_files = models.PositiveSmallIntegerField(
        _("most files"), default=5, help_text=_("For files: how many may be attached.")
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("required"), FieldPanel("field_type")]),
        FieldPanel("choices"),
        FieldPanel("default_value"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("min_value"), FieldPanel("max_value")]),
                FieldPanel("pattern"),
                FieldRowPanel([FieldPanel("not_in_past"), FieldPanel("not_before")]),
                FieldPanel("max_files"),
            ],
            heading=_("Checks"),
        ),
    ]

    class Meta(AbstractFormField.Meta):
        verbose_name = _("form field")


class ServicePage(AbstractForm):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="pages"
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    guidance = StreamField(GuidanceStreamBlock(), verbose_name=_("guidance"), blank=True)

    content_panels = [
        *AbstractForm.content_panels,
        FieldPanel("service"),
        FieldPanel("intro"),
        FieldPanel("guidance"),
        InlinePanel("form_fields", label=_("Form fields")),
    ]
    parent_page_types = ["portal.ServiceCatalogPage"]
    subpage_types: list[str] = []
    template = "intake/service_page.html"

    class Meta:
        verbose_name = _("service page")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from intake.views import service_page_serve

        return service_page_serve(self, request)

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        # The editor's preview is the page as citizens get it: Wagtail's own form preview
        # would build the form with its FormBuilder, which knows none of our field types.
        return self.serve(request)


class FeedbackFormField(AbstractFormField):
    page = ParentalKey(
        "intake.FeedbackFormPage", on_delete=models.CASCADE, related_name="form_fields"
    )


class FeedbackFormPage(AbstractForm):
    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(_("thank-you text"), blank=True)

    content_panels = [
        *AbstractForm.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["portal.HomePage", "portal.ServiceCatalogPage", "portal.IntranetPage"]
    subpage_types: list[str] = []
    template = "intake/feedback_form_page.html"
    landing_page_template = "intake/feedback_form_page_landing.html"

    class Meta:
        verbose_name = _("feedback form page")
