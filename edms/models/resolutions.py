"""Resolutions, assignments, extension requests and reports.

A head writes a ``Resolution`` on a document: text, deadline, controller, a lead executor and
co-executors. Each executor gets an ``Assignment``; an executor may delegate part of theirs as a
sub-assignment (``parent``). Executors ask for more time (``ExtensionRequest``) and report
(``AssignmentReport``); the controller accepts or refuses both. Which status may follow which is
one table in ``edms.assignments``.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edms.models.documents import Document
from edms.models.organisation import Office


class Resolution(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="resolutions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="resolutions_written",
    )
    text = models.TextField(_("resolution"))
    deadline = models.DateField(_("deadline"))
    controller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("controller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolutions_controlled",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["document", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class Assignment(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        REPORTED = "reported", _("Reported, awaiting acceptance")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("resolution"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="assignments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("delegated from"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    # Copied from the document and the resolution when the assignment is made, so that execution
    # control and the review queues read one table through a small index instead of joining
    # every assignment of every office.
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("controlled by"),
        on_delete=models.PROTECT,
        related_name="assignments_reviewed",
        help_text=_(
            "Decides the reports and requests for more time: the executor who delegated a "
            "sub-assignment, else the resolution's controller, else its author."
        ),
    )
    is_lead = models.BooleanField(_("lead executor"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="assignments_given",
    )
    instructions = models.TextField(_("instructions"), blank=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["executor", "status", "deadline"]),
            # Execution control: an office's top-level assignments by deadline.
            models.Index(
                fields=["office", "deadline"],
                condition=Q(parent__isnull=True),
                name="assignment_control",
            ),
            models.Index(fields=["reviewer", "status"], name="assignment_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.document.reg_number}: {self.executor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The copies follow from the document and the resolution; services set them, and this
        # keeps any other creation path (admin, shell, tests) consistent.
        if self.office_id is None:
            self.office_id = self.document.office_id
        if self.reviewer_id is None:
            if self.parent is not None:
                self.reviewer_id = self.parent.executor_id
            else:
                resolution = self.resolution
                self.reviewer_id = resolution.controller_id or resolution.author_id
        super().save(*args, **kwargs)

    @property
    def closed_late(self) -> bool:
        return self.closed_on is not None and self.closed_on > self.deadline


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_deadline = models.DateField(_("deadline before"))
    new_deadline = models.DateField(_("new deadline asked"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["assignment", "created_at"]
        # The inbox reads only the pending ones, a small share of all requests.
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="extension_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.new_deadline}"


class AssignmentReport(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Returned for rework")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("report"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["assignment", "created_at"]
        # The inbox reads only the reports awaiting review, a small share of all reports.
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status="submitted"), name="report_submitted"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.get_status_display()}"
