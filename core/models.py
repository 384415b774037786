"""The core's models: the dataset version that database triggers keep, and releases."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from core.links import link


class DatasetVersion(models.Model):
    """One row, bumped by database triggers on every write to a content table.

    Caches, ETags and exports key on it, so a write is visible to every server at once. The
    table keeps the name it was created with (the triggers' SQL names it).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()
    # Nullable: SQLite adds such a column in place, where another would rebuild the table
    # (and trip the triggers that name it).
    token = models.CharField(  # noqa: DJ001
        max_length=100,
        null=True,
        blank=True,
        help_text="The transaction that last moved the version (core.dataset).",
    )

    class Meta:
        db_table = "sources_datasetversion"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dataset_version_singleton")]

    def __str__(self) -> str:
        return f"v{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


# Letters, digits, "." and "-"; starting and ending with a letter or digit.
RELEASE_TAG_PATTERN = r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$"
RELEASE_TAG_HELP = "Letters, digits, “.” and “-” (at most 64), e.g. 2025.1 or v1.0."


class ReleaseQuerySet(models.QuerySet):
    def listing(self) -> ReleaseQuerySet:
        """Releases newest first, with their package's size and checksum but not its bytes."""
        return self.select_related("package").defer("package__content").order_by("-version", "-pk")


class Release(models.Model):
    """A frozen state of the knowledge base: its dataset version, named by a tag.

    Made once (`atlas.releases.release_create`) and never changed: the state it names is
    read back from the history tables (`core.history`), and its data package was built once
    and is kept in `ReleasePackage`, so every app server serves the same bytes.
    """

    tag = models.CharField(
        max_length=64,
        unique=True,
        validators=[RegexValidator(RELEASE_TAG_PATTERN, RELEASE_TAG_HELP)],
        help_text=RELEASE_TAG_HELP,
    )
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    version = models.PositiveBigIntegerField(help_text="The dataset version it freezes.")
    counts = models.JSONField(default=dict, help_text="Rows per table of its data package.")

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-version", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__regex=RELEASE_TAG_PATTERN), name="release_tag_format"
            )
        ]

    def __str__(self) -> str:
        return self.tag

    def get_absolute_url(self) -> str:
        return link("atlas:release-detail", tag=self.tag)

    @property
    def datapackage_path(self) -> str:
        return link("atlas:release-datapackage", tag=self.tag)

    @property
    def name(self) -> str:
        """The release in words: its tag, and its title where it has one."""
        return f"{self.tag} ({self.title})" if self.title else self.tag


class ReleasePackage(models.Model):
    """A release's data package, built once: the same bytes at every download, on every
    server (it lives in the database, not on one server's disk)."""

    release = models.OneToOneField(
        Release, primary_key=True, on_delete=models.CASCADE, related_name="package"
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.release.tag} ({self.size} bytes)"


class ScopeVersion(models.Model):
    """When a scope of the knowledge base (a framework, a document, an institution, a
    collection) last changed: written only by database triggers (`core.scopes`), read by
    the response cache."""

    scope = models.CharField(max_length=120, primary_key=True)
    version = models.BigIntegerField(help_text="Microseconds since 1970 of its last change.")

    class Meta:
        db_table = "core_scopeversion"

    def __str__(self) -> str:
        return f"{self.scope} @ {self.version}"
