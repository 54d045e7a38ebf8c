"""Counter mode: a One-Stop-Shop operator takes a walk-in citizen's application.

The operator picks the service (and the office, their own by default), fills the same form as
the service page with the keyboard, chooses the citizen's language, attaches the scans, and
prints the receipt. The application carries the operator and the counter channel.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from edms.access import has_role, user_office
from edms.roles import Role
from edms.views import staff_required, staff_user
from intake.forms import CounterApplicationForm, is_uuid
from intake.models import Application, Service
from intake.selectors import offices_offering, service_form_fields


def _check_operator(request: HttpRequest) -> None:
    office = user_office(request.user)
    if not any(has_role(request.user, role, office) for role in (Role.OPERATOR, Role.REGISTRAR)):
        raise PermissionDenied


@staff_required
def counter(request: HttpRequest) -> HttpResponse:
    """Pick the service."""
    _check_operator(request)
    services = Service.objects.filter(is_active=True)
    office = user_office(request.user)
    if office is not None:
        services = services.filter(offices=office)
    return render(request, "intake/counter.html", {"services": services, "office": office})


@staff_required
def counter_apply(request: HttpRequest, code: str) -> HttpResponse:
    _check_operator(request)
    service = get_object_or_404(Service, code=code, is_active=True)
    language = translation.get_language() or "uz"
    fields = service_form_fields(service, language)
    office = user_office(request.user)
    key = request.POST.get("submission_key", "") if request.method == "POST" else ""
    if request.method == "POST":
        form = CounterApplicationForm(
            request.POST,
            request.FILES,
            service=service,
            form_fields=fields,
            offices=offices_offering(service),
        )
        if form.is_valid():
            try:
                submission = form.submit(
                    channel=Application.Channel.COUNTER,
                    key=key if is_uuid(key) else "",
                    language=form.cleaned_data["citizen_language"],
                    operator=staff_user(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                application = submission.application
                messages.success(
                    request,
                    _("Registered as %(number)s. Print the receipt for the citizen.")
                    % {"number": application.document.reg_number},
                )
                return redirect("intake_counter:counter_done", code=application.tracking_code)
    else:
        form = CounterApplicationForm(
            initial={"office": office.code if office else "", "citizen_language": language},
            service=service,
            form_fields=fields,
            offices=offices_offering(service),
        )
        key = str(uuid.uuid4())
    return render(
        request,
        "intake/counter_apply.html",
        {"form": form, "service": service, "submission_key": key, "language": language},
    )


@staff_required
def counter_done(request: HttpRequest, code: str) -> HttpResponse:
    _check_operator(request)
    application = get_object_or_404(
        Application.objects.select_related("document", "service", "handling_office"),
        tracking_code=code,
        operator=request.user,
    )
    return render(request, "intake/counter_done.html", {"application": application})
