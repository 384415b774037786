"""The one model of the core: the dataset version that database triggers keep."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class DatasetVersion(models.Model):
    """One row, bumped by database triggers on every write to a content table.

    Caches, ETags and exports key on it, so a write is visible to every server at once. The
    table keeps the name it was created with (the triggers' SQL names it).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "sources_datasetversion"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataset_version_singleton")]

    def __str__(self) -> str:
        return f"v{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
