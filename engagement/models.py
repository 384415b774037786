"""The framework: engagement levels, common activities, matrices and their cells."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.history import VersionedHistory
from core.links import link
from core.visibility import VisibleManager
from institutions.models import Institution
from sources.models import Citation, citations_prefetch


class LevelQuerySet(models.QuerySet):
    def with_citations(self) -> LevelQuerySet:
        """Levels in order, with their citations, passages and documents."""
        return self.order_by("ordinal").prefetch_related(citations_prefetch())


class EngagementLevel(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=50)
    ordinal = models.PositiveSmallIntegerField(
        unique=True, help_text="1 is the deepest integration."
    )
    definition = models.TextField(help_text="Footnote 2 of the brief, verbatim.")
    conditions = models.TextField(help_text="The brief's conditions for this level, verbatim.")
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation(Citation, related_query_name="level")
    history = HistoricalRecords(bases=[VersionedHistory])

    objects = LevelQuerySet.as_manager()

    class Meta:
        ordering = ["ordinal"]
        constraints = [
            models.CheckConstraint(condition=Q(ordinal__gte=1), name="level_ordinal_positive")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("engagement:level-detail", slug=self.slug)


class Activity(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, help_text="The table's row label, verbatim.")
    ordinal = models.PositiveSmallIntegerField(unique=True, help_text="The brief's order.")
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation(Citation, related_query_name="activity")
    history = HistoricalRecords(bases=[VersionedHistory])

    # Without the activities only drafts hold, for those who may not see drafts.
    objects = VisibleManager()

    class Meta:
        ordering = ["ordinal"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("engagement:activity-detail", slug=self.slug)


class FrameworkQuerySet(models.QuerySet):
    def for_page(self) -> FrameworkQuerySet:
        """Frameworks with their source document (its text deferred) and institutions."""
        return (
            self.select_related("document")
            .only(
                "slug",
                "name",
                "description",
                "document_id",
                "document__slug",
                "document__title",
            )
            .prefetch_related(
                models.Prefetch(
                    "institutions",
                    queryset=Institution.objects.only("slug", "name").order_by("name"),
                )
            )
        )

    def for_index(self) -> FrameworkQuerySet:
        """Frameworks with their source document and institutions."""
        return (
            self.select_related("document")
            .defer("document__text")
            .prefetch_related("institutions")
            .order_by("ordinal", "name")
        )


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Framework(models.Model):
    """A matrix: a set of institutions, a source, and a cell per activity and level."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    ordinal = models.PositiveSmallIntegerField(default=100)
    document = models.ForeignKey(
        "sources.Document",
        on_delete=models.PROTECT,
        related_name="frameworks",
        help_text="Its source.",
    )
    institutions = models.ManyToManyField("institutions.Institution", related_name="frameworks")
    status = models.CharField(
        max_length=10,
        choices=FrameworkStatus.choices,
        default=FrameworkStatus.PUBLISHED,
        help_text="A draft, its cells, their citations and the activities only it holds are "
        "seen by editors only, until it is published.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Without drafts, for those who may not see them (`core.visibility`).
    objects = VisibleManager.from_queryset(FrameworkQuerySet)()
    history = HistoricalRecords(m2m_fields=[institutions], bases=[VersionedHistory])

    class Meta:
        ordering = ["ordinal", "name"]
        # Pages list them in this order, a page at a time, among hundreds.
        indexes = [models.Index(fields=["ordinal", "name"], name="framework_order_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("engagement:framework-detail", slug=self.slug)

    @property
    def is_draft(self) -> bool:
        return self.status == FrameworkStatus.DRAFT


class CellKind(models.TextChoices):
    VERBATIM = "verbatim", "Verbatim from the source's table"
    ANALYST = "analyst", "Mapped by an analyst"
    EMPTY = "empty", "No entry in the source"


class CellEvidence(models.TextChoices):
    """How a cell is known: a field of its own beside `kind`, which clients already use."""

    STATED = "stated", "Stated in the source"
    INFERRED = "inferred", "Inferred by an analyst"
    NONE_STATED = "none_stated", "None stated"
    NOT_ASSESSED = "not_assessed", "Not assessed"


# The evidence a cell of each kind may have.
EVIDENCE_FOR_KIND = {
    CellKind.VERBATIM: (CellEvidence.STATED,),
    CellKind.ANALYST: (CellEvidence.INFERRED,),
    CellKind.EMPTY: (CellEvidence.NONE_STATED, CellEvidence.NOT_ASSESSED),
}


# How pages and the grid exports name a cell's evidence, in words (never colour alone): a
# cell the source leaves blank and one nobody has assessed are told apart at a glance.
EVIDENCE_SHOWN = {
    CellEvidence.STATED: "Stated in the source",
    CellEvidence.INFERRED: "Inferred",
    CellEvidence.NONE_STATED: "None stated in the source",
    CellEvidence.NOT_ASSESSED: "Not assessed",
}


def evidence_fitting(kind: str, evidence: str) -> str:
    """`evidence` if a cell of `kind` may have it, else the kind's first (an analyst's cell
    is `inferred`, an empty one `none_stated`): a cell whose kind changed, or that was made
    without saying its evidence, keeps evidence that fits. Forms and the API refuse a
    mismatch an editor asked for (`evidence`)."""
    allowed = EVIDENCE_FOR_KIND.get(kind, ())
    return evidence if evidence in allowed or not allowed else allowed[0]


# The longest note an analyst may leave on a cell.
NOTE_MAX_LENGTH = 2000
NOTE_REQUIRED = "An inferred cell says why: give the analyst's reasoning in `note`."


def evidence_problems(*, kind: str, evidence: str, note: str) -> dict[str, str]:
    """Why an editor may not give a cell of `kind` this `evidence` and `note` ({field:
    reason}; empty when they may): the evidence must fit the kind (a mismatch is refused,
    never quietly made to fit), and an inferred cell needs its reasoning in a note. The API
    and the admin both ask here."""
    allowed = EVIDENCE_FOR_KIND.get(kind, ())
    if allowed and evidence not in allowed:
        fitting = " or ".join(str(value) for value in allowed)
        return {"evidence": f"A cell of kind {kind} has evidence {fitting}, not {evidence}."}
    if len(note) > NOTE_MAX_LENGTH:
        return {"note": f"At most {NOTE_MAX_LENGTH} characters (it has {len(note)})."}
    if evidence == CellEvidence.INFERRED and not note.strip():
        return {"note": NOTE_REQUIRED}
    return {}


class CellQuerySet(models.QuerySet):
    def for_matrix(self, framework: Framework) -> CellQuerySet:
        """A framework's cells as the matrix places them: only their own columns.

        No relation is loaded: the page has the framework, activities and levels already,
        and `engagement.matrix.place_cells` and `add_source_links` add the URLs and source links
        (one query).
        """
        return self.filter(framework=framework).only(*Cell.MATRIX_FIELDS).order_by()

    def grid_rows(self) -> CellQuerySet:
        """The cells' own columns a grid shows, as tuples (`engagement.matrix.grid_cells`
        makes its cells of them, without a model instance each)."""
        return self.values_list(*GRID_COLUMNS).order_by()

    def in_grid_order(self) -> CellQuerySet:
        """Cells framework by framework, each in the order of its grid; nothing joined."""
        return self.order_by(
            "framework__ordinal", "framework__name", "activity__ordinal", "level__ordinal"
        )

    def for_list(self) -> CellQuerySet:
        """Cells with framework, activity, level and citations (passage and document joined),
        the citations as `cited`, in grid order."""
        return (
            self.in_grid_order()
            .select_related("framework", "activity", "level")
            .prefetch_related(citations_prefetch(to_attr="prefetched_citations"))
        )


# What a grid shows of a cell, in the order `engagement.matrix.GridCell` takes it.
GRID_COLUMNS = (
    "pk",
    "framework_id",
    "activity_id",
    "level_id",
    "kind",
    "text",
    "emphasised",
    "evidence",
)


def cell_url(framework: str, activity: str, level: str) -> str:
    """The page of the cell at `activity` and `level` (slugs) of `framework` (a slug)."""
    return link("engagement:cell-detail", slug=framework, activity=activity, level=level)


class Cell(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="cells")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="cells")
    level = models.ForeignKey(EngagementLevel, on_delete=models.PROTECT, related_name="cells")
    kind = models.CharField(max_length=10, choices=CellKind.choices)
    text = models.TextField(
        blank=True, help_text="Verbatim for table cells; empty where the source is."
    )
    emphasised = models.BooleanField(
        default=False, help_text="The narrative singles this level out as fitting for the activity."
    )
    evidence = models.CharField(
        max_length=12,
        choices=CellEvidence.choices,
        default=CellEvidence.STATED,
        help_text="How it is known: stated in the source, inferred by an analyst (the note "
        "says why), or for a cell without text none stated in the source or not assessed.",
    )
    note = models.TextField(
        blank=True, help_text="For an inferred cell, the analyst's reasoning; plain text."
    )
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation(Citation, related_query_name="cell")
    history = HistoricalRecords(bases=[VersionedHistory])

    # Without the cells of drafts, for those who may not see them (`core.visibility`).
    objects = VisibleManager.from_queryset(CellQuerySet)()

    # On a cell a matrix page shows: its source citations' links (`matrix.add_source_links`).
    source_links: list

    # The columns a matrix shows (`for_matrix`); the rest comes from the page's own objects.
    MATRIX_FIELDS = ("framework", "activity", "level", "kind", "text", "emphasised", "evidence")

    class Meta:
        ordering = ["framework", "activity__ordinal", "level__ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "activity", "level"], name="cell_unique_position"
            ),
            models.CheckConstraint(
                condition=(Q(kind=CellKind.EMPTY) & Q(text=""))
                | (~Q(kind=CellKind.EMPTY) & ~Q(text="")),
                name="cell_empty_iff_no_text",
            ),
            models.CheckConstraint(
                condition=Q(kind=CellKind.VERBATIM, evidence=CellEvidence.STATED)
                | Q(kind=CellKind.ANALYST, evidence=CellEvidence.INFERRED)
                | Q(
                    kind=CellKind.EMPTY,
                    evidence__in=[CellEvidence.NONE_STATED, CellEvidence.NOT_ASSESSED],
                ),
                name="cell_evidence_fits_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["framework", "level"], name="cell_framework_level_idx"),
            # The activities' index counts, per activity and level, the frameworks that single
            # it out: from this index alone.
            models.Index(
                fields=["activity", "emphasised", "level", "framework"],
                name="cell_emphasis_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.slug}: {self.activity.name} / {self.level.name}"

    def save(self, *args, **kwargs) -> None:
        self.evidence = evidence_fitting(self.kind, self.evidence)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cell_url(self.framework.slug, self.activity.slug, self.level.slug)

    def clean(self) -> None:
        self.evidence = evidence_fitting(self.kind, self.evidence)

    def validate_constraints(self, exclude=None) -> None:
        self.evidence = evidence_fitting(self.kind, self.evidence)
        super().validate_constraints(exclude=exclude)

    @property
    def cited(self) -> list[Citation]:
        """Its citations with passage and document: as `for_list()` prefetched them, or now."""
        try:
            return self.prefetched_citations
        except AttributeError:
            pass
        # Loaded as they stood at a release (`core.history.State.prefetch`).
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("citations")
        if prefetched is not None:
            return list(prefetched)
        return list(self.citations.with_passage())
