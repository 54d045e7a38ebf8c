"""Citizens' applications, their timeline, their files, and the outbox of work after commit.

An ``Application`` is created together with its registered ``edms.Document`` in one
transaction (``intake.submission``); the document is what staff route and execute, the
application is what the citizen follows by its tracking code. ``ApplicationEvent`` rows are the
timeline on the tracking page. ``OutboxMessage`` rows, written in the same transaction, are the
notifications and index updates that must go out even when the broker is down: Celery sends
them after commit, and a periodic sweep sends whatever is still pending.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edms.codes import format_code, new_code
from edms.models import AttachmentVersion, Department, Document, Draft, Office
from intake.models.services import Service


class Application(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        COUNTER = "counter", _("At the counter")
        API = "api", _("Through another system")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        REGISTERED = "registered", _("Registered")
        IN_WORK = "in_work", _("In work")
        DECIDED = "decided", _("Decided")
        ISSUED = "issued", _("Result issued")

    # The decision is made on the answer's draft (``edms.approvals``), so the choices are its.
    Outcome = Draft.Outcome

    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_code, editable=False
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="applications"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("submitted to"),
        on_delete=models.PROTECT,
        related_name="applications_received",
    )
    handling_office = models.ForeignKey(
        Office,
        verbose_name=_("handled by office"),
        on_delete=models.PROTECT,
        related_name="applications_handled",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    document = models.OneToOneField(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="application"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_taken",
    )
    full_name = models.CharField(_("full name"), max_length=255)
    pinfl = models.CharField(_("PINFL"), max_length=14)
    phone = models.CharField(_("phone"), max_length=13)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=500)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="uz")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    due_date = models.DateField(_("due date"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    result_note = models.TextField(_("decision"), blank=True)
    result_document = models.ForeignKey(
        Document,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_applications",
    )
    result_file = models.ForeignKey(
        AttachmentVersion,
        verbose_name=_("result file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            # A retried submission with the same key finds the first one; the database settles
            # a race between two at once.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="application_idempotency_key",
            )
        ]
        indexes = [models.Index(fields=["pinfl", "created_at"])]

    def __str__(self) -> str:
        return f"{self.tracking_code_display} ({self.service.code})"

    @property
    def tracking_code_display(self) -> str:
        return format_code(self.tracking_code)


class ApplicationEvent(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=12, choices=Application.Status.choices)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["application", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "status"], name="one_event_per_status")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"


class ApplicationFile(models.Model):
    """Which form field a stored file was given under."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="files"
    )
    field_name = models.CharField(_("field"), max_length=255)
    version = models.ForeignKey(
        AttachmentVersion, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("application file")
        verbose_name_plural = _("application files")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.field_name}: {self.version.original_name}"


class OutboxMessage(models.Model):
    """Work to do after commit that must not be lost: a notification or an index update."""

    class Kind(models.TextChoices):
        NOTIFY = "notify", _("Notification")
        INDEX = "index", _("Search index update")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed for good")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Unique: the same event never makes two messages, and a task run twice finds it done.
    key = models.CharField(_("key"), max_length=255, unique=True)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="outbox_pending"
            )
        ]

    def __str__(self) -> str:
        return self.key
