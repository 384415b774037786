"""Who is engaging: institutions and their names, the functions they hold, their ties."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from simple_history.models import HistoricalRecords

from core.history import VersionedHistory
from core.links import link
from sources.models import Citation, citations_prefetch


class InstitutionKind(models.TextChoices):
    REGULATOR = "regulator", "Regulator / AI office"
    SAFETY_INSTITUTE = "safety_institute", "AI safety or security institute"
    EXECUTIVE = "executive", "Executive body"
    UNIT = "unit", "Unit within a body"
    NETWORK = "network", "Network of institutions"
    STANDARDS_BODY = "standards_body", "Standards body"
    FORUM = "forum", "Intergovernmental forum"


class InstitutionQuerySet(models.QuerySet):
    def for_detail(self) -> InstitutionQuerySet:
        """Institutions with parent, names, mandates (function and citations) and citations."""
        return self.select_related("parent").prefetch_related(
            Prefetch(
                "aliases", queryset=InstitutionAlias.objects.prefetch_related(citations_prefetch())
            ),
            Prefetch(
                "mandates",
                queryset=Mandate.objects.select_related("function").prefetch_related(
                    citations_prefetch()
                ),
            ),
            citations_prefetch(),
        )


class Institution(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, help_text="The current name.")
    short_name = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=20, choices=InstitutionKind.choices)
    jurisdiction = models.CharField(max_length=100, help_text="EU, UK, US, Japan, international...")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation(Citation, related_query_name="institution")
    history = HistoricalRecords(bases=[VersionedHistory])

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="institution_not_own_parent")
        ]
        # The index lists them by name, a page at a time, among thousands.
        indexes = [models.Index(fields=["name"], name="institution_name_idx")]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return link("institutions:institution-detail", slug=self.slug)

    def clean(self) -> None:
        """An institution cannot be its own ancestor: the parents, followed up, never lead
        back to it (one query per level; the check is run by the admin and the API)."""
        if self.pk is None or self.parent_id is None:
            return
        seen: set[int] = set()
        ancestor_id: int | None = self.parent_id
        while ancestor_id is not None and ancestor_id not in seen:
            if ancestor_id == self.pk:
                raise ValidationError(
                    {"parent": "An institution cannot be its own parent, or its parent's ancestor."}
                )
            seen.add(ancestor_id)
            ancestor_id = (
                Institution.objects.filter(pk=ancestor_id)
                .values_list("parent_id", flat=True)
                .first()
            )


class InstitutionAlias(models.Model):
    """Another name an institution is or was known by, with the dates the sources give."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    is_former = models.BooleanField(default=False, help_text="A name it no longer uses.")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    citations = GenericRelation(Citation, related_query_name="institution_alias")
    history = HistoricalRecords(bases=[VersionedHistory])

    class Meta:
        ordering = ["institution", "name"]
        verbose_name_plural = "institution aliases"
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="alias_unique_name"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="alias_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Function(models.Model):
    """A row of the brief's "Comparisons of Functions" table."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=300, help_text="The row label, verbatim.")
    ordinal = models.PositiveSmallIntegerField(unique=True)

    citations = GenericRelation(Citation, related_query_name="function")
    history = HistoricalRecords(bases=[VersionedHistory])

    class Meta:
        ordering = ["ordinal"]

    def __str__(self) -> str:
        return self.name


class MandateStatus(models.TextChoices):
    YES = "yes", "Yes"
    PARTIAL = "partial", "Partial"
    NO = "no", "No"


class MandateQuerySet(models.QuerySet):
    def for_comparison(self, institutions: list[Institution]) -> MandateQuerySet:
        """Mandates of the given institutions with function, institution and citations."""
        return (
            self.filter(institution__in=institutions)
            .select_related("function", "institution")
            .prefetch_related(citations_prefetch())
        )


class Mandate(models.Model):
    """An institution's status for one function, in the source's own words."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="mandates")
    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="mandates")
    status = models.CharField(max_length=10, choices=MandateStatus.choices)
    statement = models.CharField(
        max_length=300, help_text='The source\'s words, e.g. "Yes (demonstrated)".'
    )
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation(Citation, related_query_name="mandate")
    history = HistoricalRecords(bases=[VersionedHistory])

    objects = MandateQuerySet.as_manager()

    class Meta:
        ordering = ["function__ordinal", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "function"], name="mandate_unique_function"
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="mandate_statement_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} / {self.function}: {self.statement}"


class RelationshipKind(models.TextChoices):
    MOU = "mou", "Memorandum of understanding"
    JOINT_EVALUATION = "joint_evaluation", "Joint pre-deployment evaluation"
    TECHNICAL_DIALOGUE = "technical_dialogue", "Technical dialogues"
    COLLABORATION = "collaboration", "Collaboration agreement"
    MEMBERSHIP = "membership", "Network membership"
    JOINT_PROJECT = "joint_project", "Shared project"
    PARENT_BODY = "parent_body", "Part of"


class RelationshipQuerySet(models.QuerySet):
    def for_list(self) -> RelationshipQuerySet:
        """Relationships with both institutions and their citations."""
        return self.select_related("subject", "object").prefetch_related(citations_prefetch())

    def involving(self, institution: Institution) -> RelationshipQuerySet:
        return self.filter(Q(subject=institution) | Q(object=institution))


class Relationship(models.Model):
    """A tie between two institutions that a source reports."""

    slug = models.SlugField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    subject = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="relationships_out"
    )
    object = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="relationships_in"
    )
    description = models.TextField(help_text="What the source says of the tie.")
    date = models.DateField(null=True, blank=True, help_text="When the tie was made or reported.")
    date_note = models.CharField(max_length=200, blank=True, help_text="How precise the date is.")
    updated_at = models.DateTimeField(auto_now=True)

    citations = GenericRelation(Citation, related_query_name="relationship")
    history = HistoricalRecords(bases=[VersionedHistory])

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["subject__name", "kind", "object__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject=F("object")), name="relationship_two_parties"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} – {self.get_kind_display()} – {self.object}"
