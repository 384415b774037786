"""A reader's flag on a claim: it is outdated, wrong or unsourced, with a note and perhaps a
correction, until an editor accepts or declines it.

A flag is not content: it has no history and no place in the changes feed, backups' content
tables or the data package. What an accepted flag changes is written as any edit is, and
that edit's history names the reader and the editor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from sources.models import Passage

NOTE_MAX = 2000
PROPOSED_TEXT_MAX = 10_000


class FlagReason(models.TextChoices):
    OUTDATED = "outdated", "Outdated"
    WRONG = "wrong", "Wrong"
    UNSOURCED = "unsourced", "Lacks a source"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class FlagQuerySet(models.QuerySet):
    def open(self) -> FlagQuerySet:
        return self.filter(status=FlagStatus.OPEN)

    def for_list(self) -> FlagQuerySet:
        """Newest first, with the reader, the editor who decided, the target's content type
        and the proposed passage with its document."""
        return self.select_related(
            "reader", "decided_by", "content_type", "proposed_passage__document"
        ).order_by("-created_at", "-pk")


class Flag(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.TextField(max_length=NOTE_MAX)
    proposed_text = models.TextField(
        max_length=PROPOSED_TEXT_MAX, blank=True, help_text="The claim's text as it should read."
    )
    proposed_passage = models.ForeignKey(
        Passage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A passage that supports the claim (with `proposed_quote`).",
    )
    proposed_quote = models.TextField(
        max_length=NOTE_MAX, blank=True, help_text="The exact words of that passage."
    )
    # The claim's text when it was flagged: a proposal made against another text no longer
    # applies.
    target_text = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The editors' queue (open flags, newest first) and a reader's own.
            models.Index(fields=["status", "-created_at"], name="flag_queue"),
            models.Index(fields=["reader", "status"], name="flag_reader_status"),
            models.Index(fields=["content_type", "object_id"], name="flag_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=FlagReason.values), name="flag_reason_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_known"
            ),
            # Open until decided; decided, with a time.
            models.CheckConstraint(
                condition=Q(status=FlagStatus.OPEN, decided_at__isnull=True)
                | (~Q(status=FlagStatus.OPEN) & Q(decided_at__isnull=False)),
                name="flag_decided_when_settled",
            ),
            # A declined flag says why.
            models.CheckConstraint(
                condition=~Q(status=FlagStatus.DECLINED) | ~Q(decision_reason=""),
                name="flag_declined_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Flag {self.pk} ({self.reason}, {self.status})"
