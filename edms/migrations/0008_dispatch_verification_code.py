"""Every dispatch gets its own verification code (existing ones too, each a different one)."""

from typing import Any

from django.db import migrations, models

import edms.codes


def give_codes(apps: Any, schema_editor: Any) -> None:
    Dispatch = apps.get_model("edms", "Dispatch")
    for dispatch in Dispatch.objects.filter(verification_code__isnull=True).iterator():
        dispatch.verification_code = edms.codes.new_code()
        dispatch.save(update_fields=["verification_code"])


class Migration(migrations.Migration):
    dependencies = [("edms", "0007_assignment_office_reviewer")]

    operations = [
        migrations.AddField(
            model_name="dispatch",
            name="verification_code",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dispatch",
            name="verification_code",
            field=models.CharField(
                default=edms.codes.new_code,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="verification code",
            ),
        ),
    ]
