"""The portal's page types and site settings.

The tree, per language (each language is a Wagtail locale with its own copy of the tree)::

    HomePage                     latest notices, service catalogue, office directory
    ├── GuidancePage             StreamField guidance (headings, text, documents, FAQ, contacts)
    ├── NoticeIndexPage          notices, newest first, moderated before publishing
    │   └── NoticePage           date, audience (public or staff only), office
    ├── ServiceCatalogPage       the services offices offer (service pages hang here)
    ├── OfficeIndexPage          the 27 offices grouped by region
    │   └── OfficePage           one office: address, hours, head, departments, contacts
    │       ├── NoticePage       the office's own notices (always for that office)
    │       └── GuidancePage     the office's own guidance
    └── IntranetPage             staff only, with its own guidance pages below it

Who may see what is decided in ``portal.visibility``: staff-only pages and notices are refused to
anyone who is not staff, before the page is served and in every list that shows them. Who may
edit what is decided in ``portal.editor_scope``: an office's editors edit the subtree of its
office page, regional editors the rest.
"""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from core.params import OfficeQuery, read_query
from edms.models import Office
from edms.selectors import offices_by_region
from intake.models import Service, ServicePage
from portal.blocks import GuidanceStreamBlock
from portal.visibility import visible_notices


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "portal.GuidancePage",
        "portal.NoticeIndexPage",
        "portal.ServiceCatalogPage",
        "portal.OfficeIndexPage",
        "portal.IntranetPage",
        "intake.FeedbackFormPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = visible_notices(request.user, locale=self.locale)[:5]
        context["notice_index"] = NoticeIndexPage.objects.live().filter(locale=self.locale).first()
        context["catalog"] = ServiceCatalogPage.objects.live().filter(locale=self.locale).first()
        context["services"] = Service.objects.filter(is_active=True)
        context["regions"] = office_directory(self.locale)
        return context


class GuidancePage(Page):
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = StreamField(GuidanceStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = [
        "portal.HomePage",
        "portal.GuidancePage",
        "portal.IntranetPage",
        "portal.OfficePage",
    ]
    subpage_types = ["portal.GuidancePage"]

    class Meta:
        verbose_name = _("guidance page")


class NoticeIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.NoticePage"]

    class Meta:
        verbose_name = _("notice index")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # Every notice of the language: those in here and each office's under its office page.
        notices = visible_notices(request.user, locale=self.locale)
        filters = read_query(request, OfficeQuery)
        office_code = filters["office"]
        if office_code:
            notices = notices.filter(models.Q(office__code=office_code) | models.Q(office=None))
        context["notices"] = Paginator(notices, 10).get_page(filters["page"])
        context["offices"] = Office.objects.all()
        context["office_code"] = office_code
        return context


def office_of_page(page: Page) -> Office | None:
    """The office whose page ``page`` is or hangs under, if any."""
    office_page = (
        OfficePage.objects.ancestor_of(page, inclusive=True).select_related("office").first()
    )
    return office_page.office if office_page else None


class NoticePageForm(WagtailAdminPageForm):
    """Under an office's page a notice is that office's: the only office offered is that one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = getattr(self, "parent_page", None)
        office = office_of_page(parent) if parent is not None and parent.pk else None
        field = self.fields.get("office")
        if office is None or not isinstance(field, forms.ModelChoiceField):
            return
        # A plain list instead of the admin's chooser, which would offer every office.
        field.widget = forms.Select()
        field.queryset = Office.objects.filter(pk=office.pk)
        field.required = True
        field.empty_label = None
        self.initial["office"] = office.pk


class NoticePage(Page):
    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        STAFF = "staff", _("Staff only")

    date = models.DateField(_("date"), default=timezone.localdate)
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.PUBLIC
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty for a notice that concerns every office."),
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = StreamField(GuidanceStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("audience"),
        FieldPanel("office"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("audience"),
        index.FilterField("date"),
    ]
    parent_page_types = ["portal.NoticeIndexPage", "portal.OfficePage"]
    subpage_types: list[str] = []
    base_form_class = NoticePageForm

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    @property
    def is_staff_only(self) -> bool:
        return self.audience == self.Audience.STAFF

    def save(self, *args: Any, **kwargs: Any) -> Any:
        # A notice under an office's page is that office's, whatever was sent.
        if self.path:
            office = office_of_page(self)
            if office is not None:
                self.office = office
        return super().save(*args, **kwargs)


class ServiceCatalogPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["intake.ServicePage", "intake.FeedbackFormPage"]

    class Meta:
        verbose_name = _("service catalogue")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        services = Service.objects.filter(is_active=True)
        office_code = read_query(request, OfficeQuery)["office"]
        if office_code:
            services = services.filter(offices__code=office_code)
        # Each service links to its page (with the form) under this catalogue, in its language.
        pages = {
            page.service_id: page
            for page in ServicePage.objects.child_of(self).live().only("service_id", "url_path")
        }
        listed = list(services)
        for service in listed:
            page = pages.get(service.pk)
            service.page_url = page.get_url(request) if page else ""  # type: ignore[attr-defined]
        context["services"] = listed
        context["offices"] = Office.objects.filter(is_active=True)
        context["office_code"] = office_code
        return context


class OfficeIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.OfficePage"]

    class Meta:
        verbose_name = _("office directory")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["regions"] = office_directory(self.locale)
        return context


class OfficePageForm(WagtailAdminPageForm):
    """Which office a page is about is changed only by whoever runs the office directory
    (regional editors, administrators): an office's editors would hand their page to another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = getattr(self, "parent_page", None)
        field = self.fields.get("office")
        user = self.for_user
        if not (self.instance.pk and parent and user and isinstance(field, forms.ModelChoiceField)):
            return
        if not parent.permissions_for_user(user).can_publish():
            field.widget = forms.Select()
            field.queryset = Office.objects.filter(pk=self.instance.office_id)
            field.disabled = True


class OfficePage(Page):
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="pages"
    )
    body = RichTextField(_("about the office"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("office"), FieldPanel("body")]
    parent_page_types = ["portal.OfficeIndexPage"]
    # The office's own content: its editors' permissions on this page reach these.
    subpage_types = ["portal.NoticePage", "portal.GuidancePage"]
    base_form_class = OfficePageForm

    class Meta:
        verbose_name = _("office page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["head"] = self.office.head_position()
        context["departments"] = self.office.departments.all()
        context["services"] = self.office.services.filter(is_active=True)
        context["notices"] = visible_notices(request.user, locale=self.locale).filter(
            office=self.office
        )[:5]
        context["guidance"] = self.get_children().live().type(GuidancePage).specific()
        return context


class IntranetPage(Page):
    """The staff-only section: its own page and everything below it need a staff login."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.GuidancePage", "intake.FeedbackFormPage"]

    class Meta:
        verbose_name = _("intranet")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["staff_notices"] = visible_notices(request.user, locale=self.locale).filter(
            audience=NoticePage.Audience.STAFF
        )[:10]
        context["guidance"] = self.get_children().live().specific()
        return context


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    helpline_phone = models.CharField(_("helpline phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    panels = [FieldPanel("helpline_phone"), FieldPanel("contact_email")]

    class Meta:
        verbose_name = _("portal settings")


def office_directory(locale: Any) -> list[tuple[Office, list[tuple[Office, OfficePage | None]]]]:
    """Regions with their offices, each paired with its page in ``locale`` (if published)."""
    pages = {
        page.office_id: page
        for page in OfficePage.objects.live().filter(locale=locale).only("office_id", "url_path")
    }
    return [
        (region, [(office, pages.get(office.pk)) for office in offices])
        for region, offices in offices_by_region()
    ]
