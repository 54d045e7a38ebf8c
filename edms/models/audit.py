"""The audit trail: append-only events chained by hashes.

Every event stores the hash of the event before it and its own hash over its content, so a
changed, inserted or deleted row breaks the chain, which ``manage.py verify_audit`` detects. The
actor and office are kept as plain values (not foreign keys) so that deleting a user or
renaming an office never rewrites history. ``AuditChainHead`` is the single row that appends
lock, which keeps the chain linear under concurrency.
"""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_id_value = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    office_code = models.CharField(_("office"), max_length=64, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit events are append-only")


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash of the chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
