"""Office administrators manage only their own office's organisation data in the Wagtail admin.

One permission policy per model answers "may this user act on this object" from
``edms.access.administered_offices``; the snippet views use it three ways, so that no path skips
it: listings show only the office's rows, every view of one object answers 404 for another
office's object, and the edit forms offer only the office's own choices (and keep the fields
that place an office in the tree to superusers). Bulk actions ask the same policy. The Wagtail
user admin is scoped the same way (``PortalUsersConfig``), since office administrators manage
their staff's accounts: without the "Administrator" box, and giving only the office's roles.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.models import Group, User
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.views import generic
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.users.views.users import UserViewSet

from edms.access import administered_offices
from edms.models import Department, Office
from edms.roles import Role

# Fields only a superuser changes on an office: where it sits in the tree and what it is.
OFFICE_STRUCTURE_FIELDS = ("code", "kind", "parent", "is_active", "sort_order")

# The roles an office administrator gives their staff: not the region's, and not the office
# editors' groups, which follow role and position by themselves (``portal.editor_scope``).
OFFICE_GRANTED_ROLES = [role.value for role in Role if role != Role.REGIONAL_EDITOR]


def office_scoped(user: Any, queryset: QuerySet[Any], office_field: str) -> QuerySet[Any]:
    """The rows of ``queryset`` that belong to an office the user administers."""
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(**{f"{office_field}__in": administered_offices(user)})


Scope = Callable[[Any, QuerySet[Any]], QuerySet[Any]]


class OfficeScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions as usual, and for one object only if it is in the user's scope."""

    def __init__(self, model: type[Model], scope: Scope) -> None:
        super().__init__(model)
        self.scope = scope

    def _in_scope(self, user: Any, instance: Model) -> bool:
        queryset = type(instance)._default_manager.filter(pk=instance.pk)
        return self.scope(user, queryset).exists()

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Model) -> bool:
        return self.user_has_permission(user, action) and self._in_scope(user, instance)

    def user_has_any_permission_for_instance(
        self, user: Any, actions: list[str], instance: Model
    ) -> bool:
        return self.user_has_any_permission(user, actions) and self._in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user: Any, actions: list[str]) -> QuerySet:
        return self.scope(user, super().instances_user_has_any_permission_for(user, actions))


class NotAddedHerePolicy(OfficeScopedPermissionPolicy):
    """For rows made elsewhere (a certificate is issued or imported by its holder): the admin
    shows, changes and deletes them, and never offers to add one, superusers included."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action != "add" and super().user_has_permission(user, action)


class OfficeScopedForm(WagtailAdminModelForm):
    """Choices limited to the administrator's office; an office's place in the tree is fixed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or user.is_superuser:
            return
        offices = administered_offices(user)
        choices: dict[str, QuerySet[Any]] = {
            "office": offices,
            "department": Department.objects.filter(office__in=offices),
            # A position is given to an account without one, or moved within the office.
            "user": User.objects.filter(Q(position__isnull=True) | Q(position__office__in=offices)),
        }
        for name, queryset in choices.items():
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                # A plain list instead of the admin's chooser, which would offer every office's.
                field.widget = forms.Select()
                field.queryset = queryset
                if name == "office":
                    # "All offices" (an empty office) is for the superuser.
                    field.required = True
                    field.empty_label = None
        if isinstance(self.instance, Office):
            for name in OFFICE_STRUCTURE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True


class ScopedIndexMixin:
    """Listings (and their search and filters) show only the rows in the user's scope."""

    scope: Scope | None = None
    request: HttpRequest

    def get_base_queryset(self) -> QuerySet[Any]:
        queryset = super().get_base_queryset()  # type: ignore[misc]
        assert self.scope is not None
        return self.scope(self.request.user, queryset)


class OfficeScopedViewSetMixin:
    """For a model viewset whose rows belong to offices through ``office_field``."""

    office_field = "office"
    model: type[Model]
    policy_class: type[OfficeScopedPermissionPolicy] = OfficeScopedPermissionPolicy

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Registered before the views are built, so they and the bulk actions all find it.
        register_permission_policy(self.model, self.policy_class(self.model, self.scope_queryset))
        super().__init__(*args, **kwargs)

    def scope_queryset(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return office_scoped(user, queryset, self.office_field)

    def construct_view(self, view_class: Any, **kwargs: Any) -> Callable[..., HttpResponse]:
        if issubclass(view_class, generic.IndexView):
            view_class = type(f"Scoped{view_class.__name__}", (ScopedIndexMixin, view_class), {})
            kwargs["scope"] = self.scope_queryset
        view = super().construct_view(view_class, **kwargs)  # type: ignore[misc]
        model, scope = self.model, self.scope_queryset

        @wraps(view)
        def scoped_view(request: HttpRequest, *args: Any, **view_kwargs: Any) -> HttpResponse:
            # Every view of one object (edit, delete, history, usage, copy, inspect, preview,
            # revisions) takes its pk from the URL: an object out of scope does not exist here.
            pk = view_kwargs.get("pk")
            if (
                pk is not None
                and not getattr(request.user, "is_superuser", False)
                and not scope(request.user, model._default_manager.filter(pk=pk)).exists()
            ):
                raise Http404
            return view(request, *args, **view_kwargs)

        return scoped_view


class OfficeScopedViewSet(OfficeScopedViewSetMixin, SnippetViewSet):
    """A snippet viewset for office-owned organisation data, with the scoped form."""

    def get_edit_handler(self) -> ObjectList:
        handler = super().get_edit_handler()
        return ObjectList(handler.children, base_form_class=OfficeScopedForm).bind_to_model(
            self.model
        )


MAX_ID = 2**63 - 1


class KeptGroupsField(forms.ModelMultipleChoiceField):
    """The groups chosen, plus the account's groups that the one choosing may not give or take."""

    def __init__(self, *args: Any, kept: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept = kept

    def clean(self, value: Any) -> QuerySet[Group]:
        for pk in value or ():
            # Not a row id at all (a word, a number beyond the database's): no such group.
            if not str(pk).isdigit() or int(pk) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        chosen = super().clean(value)
        return Group.objects.filter(Q(pk__in=chosen.values("pk")) | Q(pk__in=self.kept))


class OfficeAdminUserFormMixin:
    """An office administrator's user form: no "Administrator" box (an account made superuser
    would be out of every office's bounds) and only the office's roles to give."""

    request: HttpRequest

    def get_form(self, *args: Any, **kwargs: Any) -> forms.Form:
        form = super().get_form(*args, **kwargs)  # type: ignore[misc]
        if getattr(self.request.user, "is_superuser", False):
            return form
        form.fields.pop("is_superuser", None)
        field = form.fields.get("groups")
        if isinstance(field, forms.ModelMultipleChoiceField):
            granted = Group.objects.filter(name__in=OFFICE_GRANTED_ROLES)
            account = form.instance
            kept = (
                list(account.groups.exclude(pk__in=granted).values_list("pk", flat=True))
                if account.pk
                else []
            )
            form.fields["groups"] = KeptGroupsField(
                queryset=granted,
                kept=kept,
                required=False,
                widget=field.widget,
                label=field.label,
                help_text=field.help_text,
            )
        return form


class OfficeScopedUserViewSet(OfficeScopedViewSetMixin, UserViewSet):
    """Office administrators see and edit the accounts of their office's staff, and accounts not
    yet given a position (to give them one); never a superuser, never another office's staff."""

    def scope_queryset(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if getattr(user, "is_superuser", False):
            return queryset
        offices = administered_offices(user)
        if not offices.exists():
            return queryset.none()
        return queryset.filter(
            Q(position__office__in=offices) | Q(position__isnull=True, is_superuser=False)
        )

    def construct_view(self, view_class: Any, **kwargs: Any) -> Callable[..., HttpResponse]:
        if issubclass(view_class, (generic.CreateView, generic.EditView)):
            view_class = type(
                f"OfficeAdmin{view_class.__name__}", (OfficeAdminUserFormMixin, view_class), {}
            )
        return super().construct_view(view_class, **kwargs)
