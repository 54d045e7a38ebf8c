"""The field types of service forms, as Django form fields with their checks.

The same fields serve the service page, the counter and the API, so a citizen, an operator and
another system get the same checks and the same messages (in the request's language). Values
are normalised on the way in: a phone typed ``+998 90 123-45-67`` is stored ``+998901234567``.
PINFL and phone take the digits 0-9 only, and text fields refuse the invisible characters that
change the direction of text (``core.validators``).
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import FormBuilder

from core.validators import ascii_digits, reject_bidi_controls
from edms.attachments import upload_check

PHONE_SEPARATORS = re.compile(r"[\s\-()]")
# [0-9], not \d: \d matches every script's digits (Arabic-Indic, full-width ...).
PHONE = re.compile(r"\+998[0-9]{9}")
PINFL = re.compile(r"[0-9]{14}")


class PhoneField(forms.CharField):
    default_error_messages = {
        "invalid": _("Enter the phone number as +998 and 9 digits, e.g. +998 90 123 45 67."),
        "ascii": _("Type the phone number with the digits 0-9."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        phone = PHONE_SEPARATORS.sub("", text)
        if any(ch.isdigit() and not ch.isascii() for ch in phone):
            raise ValidationError(self.error_messages["ascii"], code="ascii")
        if not PHONE.fullmatch(phone):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return str(phone)


class PinflField(forms.CharField):
    default_error_messages = {
        "invalid": _("The PINFL is 14 digits; this has %(count)s."),
        "digits": _("The PINFL has digits only."),
        "ascii": _("Type the PINFL with the digits 0-9."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        pinfl = re.sub(r"\s", "", text)
        if pinfl.isdigit() and not ascii_digits(pinfl):
            raise ValidationError(self.error_messages["ascii"], code="ascii")
        if not ascii_digits(pinfl):
            raise ValidationError(self.error_messages["digits"], code="digits")
        if not PINFL.fullmatch(pinfl):
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"count": len(pinfl)}
            )
        return pinfl


class CadastralField(forms.CharField):
    default_error_messages = {
        "invalid": _(
            "Enter the cadastral number as on the cadastral passport: groups of digits "
            "separated by colons, e.g. 12:08:03:01:02:0045."
        ),
    }

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        number = re.sub(r"\s", "", text)
        if not re.fullmatch(settings.INTAKE_CADASTRAL_PATTERN, number):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class FutureDateField(forms.DateField):
    """A date, optionally not before today (for a period that is yet to come)."""

    def __init__(self, *, not_in_past: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.not_in_past = not_in_past
        self.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        if day and self.not_in_past and day < timezone.localdate():
            raise ValidationError(
                _("The date cannot be in the past."), code="past", params={"value": day}
            )
        return day


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files under one name, each checked for type (from its content), size and
    emptiness, with a limit on how many."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int = 5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_files = max_files
        self.widget.attrs.update({"accept": ",".join(settings.INTAKE_UPLOAD_TYPES)})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                _("Attach at most %(count)s files here."),
                code="too_many",
                params={"count": self.max_files},
            )
        errors: list[ValidationError] = []
        for upload in uploads:
            errors += file_errors(upload)
        if errors:
            raise ValidationError(errors)
        return uploads


def file_errors(upload: UploadedFile) -> list[ValidationError]:
    """What is wrong with one uploaded file for an application, as messages naming the file."""
    limit: int = settings.INTAKE_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        return [
            ValidationError(
                _("“%(name)s” is %(size)s; a file may be at most %(limit)s."),
                code="too_large",
                params={
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                },
            )
        ]
    try:
        checked = upload_check(upload=upload)
    except ValidationError as error:
        # The e-document check's "not an allowed type" lists Word, Excel, TIFF…, which an
        # application does not take: say what it takes instead.
        return [
            _not_allowed(str((item.params or {}).get("name", upload.name)))
            if item.code == "type"
            else item
            for item in error.error_list
        ]
    finally:
        upload.seek(0)
    if checked.content_type not in settings.INTAKE_UPLOAD_TYPES:
        return [_not_allowed(checked.name)]
    return []


def _not_allowed(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a PDF or an image (JPEG, PNG)."), code="type", params={"name": name}
    )


def parse_choices(text: str) -> list[tuple[str, str]]:
    """Choices as editors write them: one per line, ``value`` or ``value | label``."""
    lines = text.splitlines() if "\n" in text else text.split(",")
    choices = []
    for line in lines:
        value, _bar, label = line.partition("|")
        value = value.strip()
        if value:
            choices.append((value, label.strip() or value))
    return choices


class ServiceFormBuilder(FormBuilder):
    """Wagtail's form builder with the service field types."""

    def get_field_options(self, field: Any) -> dict[str, Any]:
        options: dict[str, Any] = super().get_field_options(field)
        if not field.default_value:
            options.pop("initial", None)
        return options

    def create_text_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        options["max_length"] = 255
        options["validators"] = [reject_bidi_controls]
        if field.pattern:
            options["validators"].append(_PatternValidator(field.pattern))
        return forms.CharField(**options)

    def create_textarea_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        options["max_length"] = 10_000
        options["validators"] = [reject_bidi_controls]
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), **options)

    def create_number_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return forms.DecimalField(
            min_value=_plain(field.min_value),
            max_value=_plain(field.max_value),
            max_digits=16,
            decimal_places=2,
            **options,
        )

    def create_date_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return FutureDateField(not_in_past=field.not_in_past, **options)

    def create_choice_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        choices = parse_choices(field.choices)
        return forms.ChoiceField(choices=[("", "—"), *choices], **options)

    def create_email_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return forms.EmailField(**options)

    def create_phone_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return PhoneField(**options)

    def create_pinfl_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return PinflField(**options)

    def create_cadastral_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        return CadastralField(**options)

    def create_file_field(self, field: Any, options: dict[str, Any]) -> forms.Field:
        options.pop("initial", None)
        return FilesField(max_files=field.max_files or 5, **options)


def _plain(bound: Decimal | None) -> Decimal | int | None:
    """A bound as people write it in a message: 100, not 100.00."""
    if bound is None:
        return None
    return int(bound) if bound == bound.to_integral_value() else bound.normalize()


class _PatternValidator:
    """An editor's regular expression; a broken one refuses nothing rather than everything."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __call__(self, value: str) -> None:
        try:
            matched = re.fullmatch(self.pattern, value)
        except re.error:
            return
        if not matched:
            raise ValidationError(_("This does not have the expected form."), code="pattern")


def number_for_json(value: Any) -> Any:
    """Answers go into JSON: decimals as numbers, dates as ISO text, files by name."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [getattr(item, "name", str(item)) for item in value]
    return value
