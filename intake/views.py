"""Citizens' side of the intake: the service page's form, tracking, the receipt, the result.

The service page (a Wagtail page) shows the guidance and the form; a valid submission becomes
an application and a registered document in one step (``intake.submission``) and the citizen
lands on the tracking page with the receipt to download. A hidden per-form key makes a double
click or a resubmitted page the same application. Tracking codes are looked up with a rate
limit per address, and a wrong code gets a plain "not found". What a tracking code opens (the
tracking page, the receipt, the result) is never kept by a cache: it is one citizen's own.
"""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from core.params import CodeQuery, OfficeQuery, read_query
from edms.attachments import version_file_response
from edms.codes import normalize_code
from intake.forms import ApplicationForm, is_uuid
from intake.models import Application, ApplicationEvent, ServicePage
from intake.notices import tracking_url
from intake.receipt import ReceiptData, receipt_pdf
from intake.selectors import application_status, application_timeline, offices_offering
from portal.localized import localized
from portal.throttling import rate_from_setting

_lookup_rate = rate_from_setting("VERIFY_RATE_LIMIT")


def service_page_serve(page: ServicePage, request: HttpRequest) -> HttpResponse:
    service = page.service
    offices = offices_offering(service)
    fields = list(page.form_fields.all())
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="intake-submit",
            key="ip",
            rate=rate_from_setting("INTAKE_SUBMIT_RATE_LIMIT"),
            method="POST",
            increment=True,
        ):
            raise Ratelimited
        form = ApplicationForm(
            request.POST, request.FILES, service=service, form_fields=fields, offices=offices
        )
        key = request.POST.get("submission_key", "")
        if form.is_valid():
            try:
                submission = form.submit(
                    channel=Application.Channel.ONLINE,
                    key=key if is_uuid(key) else "",
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                url = reverse("intake:track", kwargs={"code": submission.application.tracking_code})
                return redirect(f"{url}?new=1")
    else:
        form = ApplicationForm(
            initial={"office": read_query(request, OfficeQuery)["office"]},
            service=service,
            form_fields=fields,
            offices=offices,
        )
        key = str(uuid.uuid4())
    context = page.get_context(request)
    context.update({"form": form, "submission_key": key, "service": service})
    return render(request, page.get_template(request), context)


def _application(code: str) -> Application:
    normalized = normalize_code(code)
    if not normalized:
        raise Http404
    return get_object_or_404(
        Application.objects.select_related(
            "service", "office", "handling_office", "department", "document", "result_file"
        ),
        tracking_code=normalized,
    )


class TrackQuery(CodeQuery):
    """The tracking page's query: a typed code, and ``new=1`` right after applying."""

    new = forms.BooleanField(required=False)


@never_cache
@ratelimit(key="ip", rate=_lookup_rate, block=True, group="intake-track")
def track(request: HttpRequest, code: str = "") -> HttpResponse:
    asked = read_query(request, TrackQuery)
    typed = code or asked["code"]
    if not code:
        normalized = normalize_code(typed)
        if normalized:
            return redirect("intake:track", code=normalized)
        status = 404 if typed else 200
        return render(request, "intake/track.html", {"typed": typed}, status=status)
    try:
        application = _application(code)
    except Http404:
        return render(request, "intake/track.html", {"typed": typed}, status=404)
    return render(
        request,
        "intake/track.html",
        {
            "application": application,
            "timeline": application_timeline(application),
            "status": application_status(application),
            "new": asked["new"],
        },
    )


@never_cache
@ratelimit(key="ip", rate=_lookup_rate, block=True, group="intake-track")
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    application = _application(code)
    language = translation.get_language() or settings.LANGUAGE_CODE
    pdf = receipt_pdf(receipt_data(application, language), language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"receipt-{application.document.reg_number.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@never_cache
@ratelimit(key="ip", rate=_lookup_rate, block=True, group="intake-track")
def result(request: HttpRequest, code: str) -> HttpResponseBase:
    """The decision's file, once decided; the first download marks the result issued."""
    application = _application(code)
    version = application.result_file
    if version is None:
        raise Http404
    ApplicationEvent.objects.get_or_create(
        application=application,
        status=Application.Status.ISSUED,
        defaults={"at": timezone.now()},
    )
    return version_file_response(version)


def receipt_data(application: Application, language: str) -> ReceiptData:
    """What the receipt shows, in ``language``."""
    operator = application.operator
    with translation.override(language):
        fee = application.service.fee_bhm
        return ReceiptData(
            office_name=localized(application.handling_office, "name", language),
            office_address=localized(application.handling_office, "address", language),
            service_name=localized(application.service, "name", language),
            registration_number=application.document.reg_number,
            registered_on=application.document.reg_date,
            due_date=application.due_date,
            applicant_name=application.full_name,
            documents_received=[
                item.version.original_name for item in application.files.select_related("version")
            ],
            tracking_code=application.tracking_code_display,
            tracking_url=tracking_url(application),
            operator_name=(operator.get_full_name() or operator.get_username()) if operator else "",
            fee=f"{fee.normalize():f} BHM" if fee else "",
        )
