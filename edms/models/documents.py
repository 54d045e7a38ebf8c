"""The registration card of a document.

A ``Document`` is registered in one journal of its office with a number unique per journal and
year (``reg_seq`` and ``reg_year``, shown as ``reg_number``). It records who it came from or goes
to, how it arrived, whether it is confidential, its status and due date, and its links to other
documents.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edms.models.journals import Journal
from edms.models.organisation import Department, Office


class Document(models.Model):
    class Kind(models.TextChoices):
        INCOMING = "incoming", _("Incoming letter")
        OUTGOING = "outgoing", _("Outgoing letter")
        INTERNAL = "internal", _("Internal memo or order")
        APPLICATION = "application", _("Citizen's application")

    class Channel(models.TextChoices):
        APPLICATION = "application", _("Application (online or counter)")
        EXCHANGE = "exchange", _("Exchange between offices")
        PAPER = "paper", _("Paper, scanned")
        CREATED = "created", _("Created here")

    class CorrespondentKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Outside organisation")
        OFFICE = "office", _("Another office")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        IN_WORK = "in_work", _("In work")
        DONE = "done", _("Done")
        CLOSED = "closed", _("Closed")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="documents"
    )
    journal = models.ForeignKey(
        Journal, verbose_name=_("journal"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reg_seq = models.PositiveIntegerField(_("number in the journal"))
    reg_year = models.PositiveSmallIntegerField(_("year"))
    reg_number = models.CharField(_("registration number"), max_length=64, db_index=True)
    reg_date = models.DateField(_("registration date"))
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    correspondent_kind = models.CharField(
        _("correspondent is"), max_length=16, choices=CorrespondentKind.choices, blank=True
    )
    correspondent_name = models.CharField(_("correspondent"), max_length=255, blank=True)
    correspondent_office = models.ForeignKey(
        Office,
        verbose_name=_("correspondent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("arrived as"), max_length=16, choices=Channel.choices)
    is_confidential = models.BooleanField(_("confidential"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    related = models.ManyToManyField("self", verbose_name=_("related documents"), blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people on the document"),
        blank=True,
        related_name="documents_on",
        help_text=_("Who may see it when it is confidential: addressee, executors, controller."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Documents are found through the product's own search (``search/``), kept current through
    # the outbox after commit, not through Wagtail's search index.

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-reg_date", "-reg_seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "reg_year", "reg_seq"], name="one_number_per_journal_year"
            )
        ]
        indexes = [models.Index(fields=["office", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.reg_number} {self.title}"
