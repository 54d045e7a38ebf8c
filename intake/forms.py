"""The application form: the office, the applicant, and the service's own fields.

One form class serves the service page, the counter and the API, so every channel gets the same
checks and messages. The service's fields come from its page's form builder
(``ServiceFormField``); the applicant fields and the office are always asked. At the counter the
operator also chooses the citizen's language (``CounterApplicationForm``).
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.validators import reject_bidi_controls
from edms.models import Office
from intake.fields import FilesField, PhoneField, PinflField, ServiceFormBuilder, number_for_json
from intake.models import Service
from intake.submission import Applicant, Submission, application_submit
from portal.localized import localized

APPLICANT_FIELDS = ("full_name", "pinfl", "phone", "email", "address")


def is_uuid(text: str) -> bool:
    """A form's hidden submission key: one per form shown, so a second send is a retry."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return localized(obj, "name")


class ApplicationForm(forms.Form):
    office = OfficeChoiceField(
        queryset=Office.objects.filter(is_active=True),
        to_field_name="code",
        label=_("Office"),
        error_messages={"invalid_choice": _("There is no office with this code.")},
    )
    full_name = forms.CharField(
        label=_("Full name (surname, name, patronymic)"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        validators=[reject_bidi_controls],
    )
    pinfl = PinflField(label=_("PINFL (personal identification number, 14 digits)"))
    phone = PhoneField(label=_("Phone (+998 …)"))
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    address = forms.CharField(
        label=_("Address (mahalla, street, house)"),
        max_length=500,
        validators=[reject_bidi_controls],
    )

    def __init__(
        self,
        *args: Any,
        service: Service | None,
        form_fields: Sequence[Any],
        offices: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.form_fields = [f for f in form_fields if f.clean_name not in self.base_fields]
        built = ServiceFormBuilder(self.form_fields).formfields
        self.service_field_names = list(built)
        self.fields.update(built)
        if offices is not None:
            self.fields["office"].queryset = offices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        office = data.get("office")
        if office is not None and self.service and not self.service.is_offered_by(office):
            self.add_error(
                "office",
                forms.ValidationError(
                    _("%(office)s does not offer “%(service)s”. Choose an office that does."),
                    code="not_offered",
                    params={
                        "office": localized(office, "name"),
                        "service": localized(self.service, "name"),
                    },
                ),
            )
        for field in self.form_fields:
            if field.field_type != "date" or not field.not_before:
                continue
            day, earliest = data.get(field.clean_name), data.get(field.not_before)
            if day and earliest and day < earliest:
                other = self.fields.get(field.not_before)
                self.add_error(
                    field.clean_name,
                    forms.ValidationError(
                        _("This date cannot be before “%(other)s”."),
                        code="before",
                        params={"other": other.label if other else field.not_before},
                    ),
                )
        return data

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(**{name: data.get(name) or "" for name in APPLICANT_FIELDS})

    def answers(self) -> dict[str, Any]:
        """The service fields' answers, ready for JSON (files are listed by name)."""
        return {
            name: number_for_json(self.cleaned_data.get(name))
            for name in self.service_field_names
            if self.cleaned_data.get(name) not in (None, "", [])
        }

    def submit(
        self, *, channel: str, key: str, language: str, operator: User | None = None
    ) -> Submission:
        """The valid form's application, registered; ``key`` makes a repeat the same one."""
        assert self.service is not None
        return application_submit(
            service=self.service,
            office=self.cleaned_data["office"],
            applicant=self.applicant(),
            answers=self.answers(),
            uploads=self.uploads(),
            channel=channel,
            operator=operator,
            idempotency_key=f"{channel}:{key}" if key else "",
            language=language,
        )

    def uploads(self) -> dict[str, list[UploadedFile]]:
        return {
            name: list(self.cleaned_data.get(name) or [])
            for name in self.service_field_names
            if isinstance(self.fields[name], FilesField)
        }


class CounterApplicationForm(ApplicationForm):
    """The application form at the counter: also the language the citizen is told things in,
    one of the site's languages (``settings.LANGUAGES``), asked after the service's fields."""

    citizen_language = forms.ChoiceField(
        label=_("The citizen's language (for notifications)"),
        choices=lambda: settings.LANGUAGES,
        error_messages={
            "required": _("Choose the citizen's language."),
            "invalid_choice": _("Choose the citizen's language from the list."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["citizen_language"] = self.fields.pop("citizen_language")
