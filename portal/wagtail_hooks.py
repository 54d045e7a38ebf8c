"""Wagtail hooks: staff-only pages are refused before serving; organisation data in the admin,
each office's rows for its own administrators (``portal.admin_scope``); an office's page is not
deleted by its own editors (who edit pages by the page permissions of ``portal.editor_scope``)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from edms.access import is_staff_member
from edms.admin_forms import CertificateRevokeForm
from edms.models import (
    CalendarOverride,
    Department,
    Office,
    Position,
    RouteTemplate,
    SigningCertificate,
)
from intake.models import RoutingRule, Service
from portal.admin_scope import NotAddedHerePolicy, OfficeScopedViewSet
from portal.editor_scope import may_remove_office_page
from portal.visibility import page_is_staff_only


@hooks.register("before_serve_page")
def require_staff_for_staff_only_pages(
    page: Page, request: HttpRequest, serve_args: Any, serve_kwargs: Any
) -> HttpResponse | None:
    if not page_is_staff_only(page) or is_staff_member(request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    raise PermissionDenied


def office_page_stays(request: HttpRequest, pages: list[Page]) -> HttpResponse | None:
    """Refuse (with a message) removing an office's page from the directory to its own editors:
    their permissions allow deleting a page of theirs without children, and this one holds
    their office's place on the portal."""
    refused = [page for page in pages if not may_remove_office_page(request.user, page)]
    if not refused:
        return None
    messages.error(
        request,
        _("An office's page is deleted or moved only by a regional editor or an administrator."),
    )
    return redirect("wagtailadmin_explore", refused[0].get_parent().pk)


@hooks.register("before_delete_page")
def keep_office_page_on_delete(request: HttpRequest, page: Page) -> HttpResponse | None:
    return office_page_stays(request, [page])


@hooks.register("before_move_page")
def keep_office_page_on_move(
    request: HttpRequest, page: Page, destination: Page
) -> HttpResponse | None:
    return office_page_stays(request, [page])


@hooks.register("before_bulk_action")
def keep_office_pages_in_bulk(
    request: HttpRequest, action_type: str, objects: list[Any], action: Any
) -> HttpResponse | None:
    if action_type not in ("delete", "move"):
        return None
    return office_page_stays(request, [obj for obj in objects if isinstance(obj, Page)])


class OfficeViewSet(OfficeScopedViewSet):
    model = Office
    office_field = "pk"
    icon = "home"
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name_uz", "name_ru", "name_en"]


class DepartmentViewSet(OfficeScopedViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "code", "office"]
    list_filter = ["office"]
    search_fields = ["code", "name_uz", "name_ru", "name_en"]


class PositionViewSet(OfficeScopedViewSet):
    model = Position
    icon = "user"
    list_display = ["full_name", "title", "office", "department", "is_lead"]
    list_filter = ["office"]


class ServiceViewSet(SnippetViewSet):
    model = Service
    icon = "form"
    list_display = ["name", "code", "department_code", "deadline_working_days", "fee_bhm"]
    search_fields = ["code", "name_uz", "name_ru", "name_en"]


class RoutingRuleViewSet(SnippetViewSet):
    model = RoutingRule
    icon = "resubmit"
    list_display = [
        "service",
        "office",
        "field_name",
        "field_value",
        "department_code",
        "target_office",
        "priority",
    ]
    list_filter = ["service"]


class CalendarOverrideViewSet(OfficeScopedViewSet):
    model = CalendarOverride
    icon = "date"
    list_display = ["date", "kind", "office", "reason"]
    list_filter = ["kind", "office"]


class RouteTemplateViewSet(OfficeScopedViewSet):
    model = RouteTemplate
    icon = "list-ol"
    list_display = ["name", "kind", "office", "is_default"]
    list_filter = ["office", "kind"]
    panels = [
        FieldPanel("office"),
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("is_default"),
        InlinePanel("steps", label=_("Steps"), min_num=1),
    ]


class SigningCertificateViewSet(OfficeScopedViewSet):
    """Certificates are issued (``manage.py issue_certificate``) or imported by their holder;
    here an administrator sees them and revokes one."""

    model = SigningCertificate
    policy_class = NotAddedHerePolicy
    icon = "key"
    list_display = ["subject", "serial", "user", "not_after", "revoked_at"]
    list_filter = ["office", "source"]
    search_fields = ["subject", "serial"]
    inspect_view_enabled = True
    panels = [
        FieldPanel(
            "revocation_reason",
            help_text=_("Giving a reason revokes the certificate: it signs no more, at once."),
        )
    ]

    def get_edit_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_edit_handler()
        return type(handler)(handler.children, base_form_class=CertificateRevokeForm).bind_to_model(
            self.model
        )


class OrganisationViewSetGroup(SnippetViewSetGroup):
    items = (
        OfficeViewSet,
        DepartmentViewSet,
        PositionViewSet,
        ServiceViewSet,
        RoutingRuleViewSet,
        CalendarOverrideViewSet,
        RouteTemplateViewSet,
        SigningCertificateViewSet,
    )
    menu_icon = "site"
    menu_label = "Organisation"
    menu_name = "organisation"


register_snippet(OrganisationViewSetGroup)
