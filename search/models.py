"""The search index: one row per searchable object, kept in step by database triggers.

Rows are written only by the triggers that `search/index.py` installs (see its docstring),
never by Python code, so bulk updates, raw SQL and admin edits all reach the index. On
PostgreSQL a stored generated tsvector column with a GIN index sits on this table; on
SQLite an FTS5 table indexes its three weighted columns.
"""

from __future__ import annotations

from django.db import models


class EntryKind(models.TextChoices):
    CELL = "cell", "Cells"
    PASSAGE = "passage", "Passages"
    INSTITUTION = "institution", "Institutions"
    DOCUMENT = "document", "Documents"


class SearchEntry(models.Model):
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    object_id = models.PositiveBigIntegerField()
    title = models.TextField(help_text="Cells: activity and level; passages: their section.")
    slug = models.CharField(
        max_length=200, blank=True, help_text="Institution or document slug, passage anchor."
    )
    # Weighted text: A ranks above B above C (cell text and activity names, then passage
    # text and quotes, then metadata).
    weight_a = models.TextField(blank=True)
    weight_b = models.TextField(blank=True)
    weight_c = models.TextField(blank=True)
    # Facet keys, as plain ids: the triggers keep them, the search joins them to their slugs.
    document_pk = models.PositiveBigIntegerField(null=True, blank=True)
    framework_pk = models.PositiveBigIntegerField(null=True, blank=True)
    level_pk = models.PositiveBigIntegerField(null=True, blank=True)
    activity_pk = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title[:60]}"
