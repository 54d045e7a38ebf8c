"""The intake API's bodies as DRF serializers: what ``/api/schema/`` documents, and what the views
build their answers with, so that the schema and the answers cannot drift apart.

The request body of ``POST /api/v1/applications/`` is checked by the application form
(``intake.forms``), the same as on the service page and at the counter; its serializer here
documents the fixed fields, and the schema adds the service's own fields as additional
properties (``document_service_fields``).
"""

from typing import Any

from rest_framework import serializers

from intake.models import FIELD_TYPES, Application

STATUSES = [value for value, _label in Application.Status.choices]
# A service's or an office's code: a slug (``Service.code``, ``Office.code``).
CODE_PATTERN = r"^[-a-zA-Z0-9_]{1,64}$"


class ChoiceSerializer(serializers.Serializer[Any]):
    value = serializers.CharField(help_text="What to send.")
    label = serializers.CharField(help_text="What to show, in the language of Accept-Language.")


class FormFieldSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="The multipart field to send the answer as.")
    type = serializers.ChoiceField(choices=[value for value, _label in FIELD_TYPES])
    required = serializers.BooleanField()
    label = serializers.CharField(help_text="In the language of Accept-Language.")
    choices = ChoiceSerializer(many=True, required=False, help_text="For `choice`: the values.")
    min = serializers.FloatField(required=False, help_text="For `number`: the least value.")
    max = serializers.FloatField(required=False, help_text="For `number`: the greatest value.")
    max_files = serializers.IntegerField(
        required=False, help_text="For `file`: how many files the field takes."
    )
    content_types = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For `file`: the types a file may have, as read from its content.",
    )


class ServiceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="What to send as `service`.")
    name = serializers.CharField(help_text="In the language of Accept-Language.")
    department = serializers.CharField(help_text="The code of the department that handles it.")
    deadline_working_days = serializers.IntegerField()
    fee = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="In base calculation amounts (BHM)."
    )
    fields = FormFieldSerializer(
        many=True,
        help_text="The applicant's fields, then the service's own, in the order of the form.",
    )


class ServiceQuerySerializer(serializers.Serializer[Any]):
    office = serializers.CharField(
        required=False,
        help_text=(
            "An office's code, e.g. `zomin`: only the services it offers. A code of no active "
            "office is refused with 400."
        ),
    )


class ApplicationUploadSerializer(serializers.Serializer[Any]):
    """The fixed fields; each of the service's own fields (``fields`` of the service in
    ``GET /api/v1/services/``) is sent under its ``name``, files as file parts."""

    service = serializers.CharField(help_text="The service's `code`.")
    office = serializers.CharField(help_text="The code of the office applied to.")
    full_name = serializers.CharField(max_length=255, help_text="Surname, name, patronymic.")
    pinfl = serializers.CharField(
        max_length=32, help_text="The personal identification number: 14 digits."
    )
    phone = serializers.CharField(max_length=32, help_text="+998 and 9 digits.")
    email = serializers.EmailField(required=False)
    address = serializers.CharField(max_length=500, help_text="Mahalla, street, house.")


class ApplicationCreatedSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField(help_text="For the citizen: e.g. K7QM-3XWD-9HTR-B2NF.")
    registration_number = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)
    due_date = serializers.DateField()
    department = serializers.CharField(
        allow_null=True, help_text="The code of the department it was routed to."
    )


class HistoryStepSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=STATUSES)
    at = serializers.DateTimeField()


class ApplicationSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField()
    service = serializers.CharField(help_text="The service's code.")
    office = serializers.CharField(help_text="The code of the office applied to.")
    registration_number = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES, help_text="The furthest step reached.")
    due_date = serializers.DateField()
    history = HistoryStepSerializer(many=True, help_text="The steps reached, in order.")
    result_url = serializers.URLField(
        allow_null=True, help_text="Where the citizen downloads the result, once there is one."
    )


def document_service_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular postprocessing hook: the application's body takes the service's own
    fields besides the fixed ones (text, or a file for a field of type `file`)."""
    schemas = result.get("components", {}).get("schemas", {})
    upload = schemas.get("ApplicationUploadRequest")
    if upload is not None:
        upload["additionalProperties"] = {
            "type": "string",
            "description": "A field of the service (its `name`); a file for a `file` field.",
        }
    return result
