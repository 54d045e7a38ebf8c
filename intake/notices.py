"""What a citizen is told, and when: on registration and on decision, in their language.

The texts are short enough for an SMS and name the office, the number, the due date and the
tracking link. They are sent through the outbox (``@handler("notify")``), so a gateway that is
down delays a notification and never loses it or the application.
"""

from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.site import absolute_url
from intake.models import Application
from intake.notifications import GatewayError, Message, PermanentGatewayError, notify
from intake.outbox import RetryLater, handler
from portal.localized import localized


def tracking_url(application: Application) -> str:
    path = reverse("intake:track", kwargs={"code": application.tracking_code})
    return absolute_url(path)


def notice_for(application: Application, event: str) -> Message:
    """The message about ``event`` ("registered" or "decided"), in the application's language."""
    with translation.override(application.language):
        values = {
            "office": localized(application.handling_office, "name"),
            "service": localized(application.service, "name"),
            "number": application.document.reg_number,
            "due": application.due_date.strftime("%d.%m.%Y"),
            "code": application.tracking_code_display,
            "url": tracking_url(application),
            "outcome": application.get_outcome_display(),
        }
        if event == "registered":
            subject = _("Application %(number)s registered") % values
            text = (
                _(
                    "%(office)s registered your application “%(service)s” as %(number)s. "
                    "Due by %(due)s. Tracking code %(code)s: %(url)s"
                )
                % values
            )
        else:
            subject = _("Application %(number)s decided") % values
            text = (
                _(
                    "%(office)s decided your application %(number)s: %(outcome)s. "
                    "The result is at %(url)s"
                )
                % values
            )
    return Message(
        recipient_phone=application.phone,
        recipient_email=application.email,
        subject=str(subject),
        text=str(text),
        reference=f"application:{application.pk}:{event}",
    )


@handler("notify")
def send_notice(payload: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    """The outbox handler: tells the citizen; gateways that already sent are not asked again."""
    application = Application.objects.select_related("document", "handling_office", "service").get(
        pk=payload["application"]
    )
    message = notice_for(application, payload["event"])
    try:
        sent = notify(message, skip=set(done.get("sent", {})))
    except PermanentGatewayError:
        raise
    except GatewayError as error:
        already = {**done.get("sent", {}), **getattr(error, "sent", {})}
        raise RetryLater(str(error), done={"sent": already}) from error
    return {"sent": {**done.get("sent", {}), **sent}}
