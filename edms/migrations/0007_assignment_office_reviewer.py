"""Assignments carry their office and reviewer, so that execution control and the review queues
read one indexed table; cancelling records who and why."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_office_and_reviewer(apps: Any, schema_editor: Any) -> None:
    Assignment = apps.get_model("edms", "Assignment")
    rows = Assignment.objects.select_related("document", "resolution", "parent")
    changed = []
    for assignment in rows.iterator(chunk_size=2000):
        assignment.office_id = assignment.document.office_id
        if assignment.parent_id is not None:
            assignment.reviewer_id = assignment.parent.executor_id
        else:
            resolution = assignment.resolution
            assignment.reviewer_id = resolution.controller_id or resolution.author_id
        changed.append(assignment)
        if len(changed) >= 2000:
            Assignment.objects.bulk_update(changed, ["office", "reviewer"])
            changed = []
    if changed:
        Assignment.objects.bulk_update(changed, ["office", "reviewer"])


class Migration(migrations.Migration):
    dependencies = [
        ("edms", "0006_inbox_partial_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="office",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="edms.office",
                verbose_name="office",
            ),
        ),
        migrations.AddField(
            model_name="assignment",
            name="reviewer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assignments_reviewed",
                to=settings.AUTH_USER_MODEL,
                verbose_name="controlled by",
            ),
        ),
        migrations.RunPython(copy_office_and_reviewer, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assignment",
            name="office",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="edms.office",
                verbose_name="office",
            ),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="reviewer",
            field=models.ForeignKey(
                help_text=(
                    "Decides the reports and requests for more time: the executor who delegated "
                    "a sub-assignment, else the resolution's controller, else its author."
                ),
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assignments_reviewed",
                to=settings.AUTH_USER_MODEL,
                verbose_name="controlled by",
            ),
        ),
        migrations.AddField(
            model_name="assignment",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="cancelled by",
            ),
        ),
        migrations.AddField(
            model_name="assignment",
            name="cancel_reason",
            field=models.TextField(blank=True, verbose_name="reason for cancelling"),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("parent__isnull", True)),
                fields=["office", "deadline"],
                name="assignment_control",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["reviewer", "status"], name="assignment_reviewer"),
        ),
    ]
