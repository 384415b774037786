"""Serializers of the engagement framework, shared by the API and the JSON export.

Related objects appear as slugs plus `<name>_api_url` and `<name>_html_url`; every object
carries its own `api_url` and `html_url`.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from core.api.fields import ApiListUrlField, ApiUrlField, HtmlUrlField
from core.api.serializers import ModelCleanSerializer
from core.links import link, linker
from core.text import stored_text_problem
from engagement.models import (
    NOTE_MAX_LENGTH,
    Activity,
    Cell,
    CellEvidence,
    CellKind,
    EngagementLevel,
    Framework,
    FrameworkStatus,
    evidence_fitting,
    evidence_problems,
)
from engagement.services import framework_create, framework_draft, framework_update
from institutions.models import Institution
from sources.models import CitationRole, Document
from sources.serializers import CitationSerializer, citation_rows
from sources.services import claim_quote_check


class CellSerializer(ModelCleanSerializer):
    """A cell with its position as slugs and its citations. Expects `Cell.objects.for_list()`.

    Writable by editors: the position (framework, activity, level) on creation, and the
    kind, text, emphasis, evidence and note. A verbatim cell's text must stay in the passage
    it cites; evidence must fit the kind, and an inferred cell needs its note.
    """

    framework = serializers.SlugRelatedField(slug_field="slug", queryset=Framework.objects.all())
    activity = serializers.SlugRelatedField(slug_field="slug", queryset=Activity.objects.all())
    level = serializers.SlugRelatedField(slug_field="slug", queryset=EngagementLevel.objects.all())
    citations = CitationSerializer(source="cited", many=True, read_only=True)
    html_url = HtmlUrlField(help_text="The cell's page.")
    api_url = ApiUrlField("cell", source="pk")
    framework_api_url = ApiUrlField("framework", source="framework.slug")
    framework_html_url = HtmlUrlField(source="framework")
    activity_api_url = ApiUrlField("activity", source="activity.slug")
    activity_html_url = HtmlUrlField(source="activity")
    level_api_url = ApiUrlField("level", source="level.slug")
    level_html_url = HtmlUrlField(source="level")
    evidence = serializers.ChoiceField(
        choices=CellEvidence.choices,
        required=False,
        help_text="How the cell is known: `stated` (a verbatim cell), `inferred` (an "
        "analyst's), or for an empty cell `none_stated` (the source gives no entry) or "
        "`not_assessed`. It must fit `kind`; left out, it follows the kind.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="An inferred cell's reasoning, plain text (required for one).",
    )
    contradicting_citations = CitationSerializer.of_role(
        CitationRole.CONTRADICTS,
        source="cited",
        help_text="Passages that say otherwise than the cell (also among `citations`).",
    )

    class Meta:
        model = Cell
        fields = [
            "id",
            "framework",
            "activity",
            "level",
            "kind",
            "text",
            "emphasised",
            "updated_at",
            "citations",
            "html_url",
            "api_url",
            "framework_api_url",
            "framework_html_url",
            "activity_api_url",
            "activity_html_url",
            "level_api_url",
            "level_html_url",
            "evidence",
            "note",
            "contradicting_citations",
        ]
        read_only_fields = ["id", "updated_at"]

    def update(self, instance: Cell, validated_data) -> Cell:
        instance = super().update(instance, validated_data)
        # As DRF drops a prefetch cache after a write: the answer shows the citations as now.
        instance.__dict__.pop("prefetched_citations", None)
        return instance

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("framework", "activity", "level"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: ["A cell's position cannot change; create another cell."]}
                    )
        self._validate_evidence(attrs)
        # A verbatim cell's text is the source's: checked when it changes, and when a cell
        # becomes verbatim.
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        if kind == CellKind.VERBATIM and ("text" in attrs or "kind" in attrs):
            text = attrs.get("text", getattr(self.instance, "text", ""))
            claim_quote_check(self.instance, "text", text, roles=(CitationRole.SOURCE,))
        return super().validate(attrs)

    def _validate_evidence(self, attrs) -> None:
        """The evidence and note a write gives (`evidence_problems`). A write that gives
        neither (a client written before evidence existed changing `kind`) leaves the cell
        the evidence that fits its kind, as the model does; one that gives either must make
        them fit the kind, and leave an inferred cell its note."""
        if "note" in attrs and (problem := stored_text_problem(attrs["note"])):
            raise serializers.ValidationError({"note": [problem]})
        kind = attrs.get("kind", getattr(self.instance, "kind", ""))
        current = getattr(self.instance, "evidence", "")
        if "evidence" not in attrs:
            if "kind" in attrs:
                attrs["evidence"] = evidence_fitting(kind, current)
            if "note" not in attrs:
                return
        evidence = attrs.get("evidence", current)
        note = attrs.get("note", getattr(self.instance, "note", ""))
        problems = evidence_problems(kind=kind, evidence=evidence, note=note)
        if problems:
            raise serializers.ValidationError({k: [v] for k, v in problems.items()})


# The columns `cell_rows` makes a cell of, read with `values()`.
CELL_ROW_VALUES = (
    "id",
    "framework__slug",
    "activity__slug",
    "level__slug",
    "kind",
    "text",
    "emphasised",
    "updated_at",
    "evidence",
    "note",
)


def cell_rows(rows: list[dict], *, origin: str) -> list[dict]:
    """The cells read with `values(*CELL_ROW_VALUES)`, each as CellSerializer represents it
    (`origin`, "https://host", makes the URLs absolute): the cells API's list, without a
    model instance or a serializer field per value. Their citations in one query."""
    citations = citation_rows(Cell, [row["id"] for row in rows], origin=origin)
    cell_page = linker("engagement:cell-detail", "slug", "activity", "level")
    cell_api = linker("api:cell-detail", "pk")
    # Each framework, activity and level is linked from many cells of a page.
    urls: dict[tuple[str, str], str] = {}

    def url(viewname: str, slug: str) -> str:
        key = (viewname, slug)
        if key not in urls:
            urls[key] = origin + link(viewname, slug=slug)
        return urls[key]

    out = []
    for row in rows:
        framework, activity, level = (
            row["framework__slug"],
            row["activity__slug"],
            row["level__slug"],
        )
        out.append(
            {
                "id": row["id"],
                "framework": framework,
                "activity": activity,
                "level": level,
                "kind": row["kind"],
                "text": row["text"],
                "emphasised": row["emphasised"],
                "updated_at": _iso_datetime(row["updated_at"]),
                "citations": citations[row["id"]],
                "html_url": origin + cell_page(slug=framework, activity=activity, level=level),
                "api_url": origin + cell_api(pk=str(row["id"])),
                "framework_api_url": url("api:framework-detail", framework),
                "framework_html_url": url("engagement:framework-detail", framework),
                "activity_api_url": url("api:activity-detail", activity),
                "activity_html_url": url("engagement:activity-detail", activity),
                "level_api_url": url("api:level-detail", level),
                "level_html_url": url("engagement:level-detail", level),
                "evidence": row["evidence"],
                "note": row["note"],
                "contradicting_citations": [
                    citation
                    for citation in citations[row["id"]]
                    if citation["role"] == CitationRole.CONTRADICTS
                ],
            }
        )
    return out


def _iso_datetime(value) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone, UTC as `Z`."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class LevelSerializer(ModelCleanSerializer):
    """A level with its definition and conditions, each cited. Expects `with_citations()`."""

    definition_citations = CitationSerializer.of_role(
        CitationRole.DEFINITION,
        help_text="Where the definition is quoted from (footnote 2 of the brief).",
    )
    conditions_citations = CitationSerializer.of_role(
        CitationRole.CONDITIONS, help_text="Where the conditions are quoted from."
    )
    citations = CitationSerializer(many=True, read_only=True, help_text="Every citation.")
    api_url = ApiUrlField("level", source="slug")
    html_url = HtmlUrlField()
    cells_api_url = ApiListUrlField(
        "cell", filter="level", source="slug", help_text="Its cells in every framework."
    )

    class Meta:
        model = EngagementLevel
        fields = [
            "id",
            "slug",
            "name",
            "ordinal",
            "definition",
            "definition_citations",
            "conditions",
            "conditions_citations",
            "citations",
            "updated_at",
            "api_url",
            "html_url",
            "cells_api_url",
        ]
        read_only_fields = ["id", "slug", "ordinal", "updated_at"]

    def validate(self, attrs):
        if "definition" in attrs:
            claim_quote_check(
                self.instance, "definition", attrs["definition"], roles=(CitationRole.DEFINITION,)
            )
        return super().validate(attrs)


class ActivitySerializer(ModelCleanSerializer):
    """A common activity of Table 1. Expects citations prefetched."""

    citations = CitationSerializer(many=True, read_only=True)
    api_url = ApiUrlField("activity", source="slug")
    html_url = HtmlUrlField()
    cells_api_url = ApiListUrlField(
        "cell", filter="activity", source="slug", help_text="Its cells in every framework."
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "slug",
            "name",
            "ordinal",
            "citations",
            "updated_at",
            "api_url",
            "html_url",
            "cells_api_url",
        ]
        read_only_fields = ["id", "updated_at"]


class FrameworkSerializer(ModelCleanSerializer):
    """A matrix: its institutions and source. Expects `Framework.objects.for_index()`.

    Writable by editors: its slug, name, description, source document and institutions
    (by slug), written through `framework_create` and `framework_update`.
    """

    document = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Document.objects.defer("text", "reader"),
        help_text="The slug of its source document.",
    )
    document_api_url = ApiUrlField("document", source="document.slug")
    document_html_url = HtmlUrlField(source="document")
    institutions = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Institution.objects.all(),
        allow_empty=False,
        help_text="Slugs of its institutions (at least one).",
    )
    api_url = ApiUrlField("framework", source="slug")
    html_url = HtmlUrlField(help_text="The matrix page.")
    cells_api_url = ApiListUrlField(
        "cell", filter="framework", source="slug", help_text="Its cells."
    )
    status = serializers.ChoiceField(
        choices=FrameworkStatus.choices,
        default=FrameworkStatus.PUBLISHED,
        help_text="`draft` (seen by editors only) or `published`. Given on create only; a "
        "draft is published with POST `publish/`.",
    )

    class Meta:
        model = Framework
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "ordinal",
            "status",
            "document",
            "document_api_url",
            "document_html_url",
            "institutions",
            "updated_at",
            "api_url",
            "html_url",
            "cells_api_url",
        ]
        read_only_fields = ["id", "ordinal", "updated_at"]

    def _editor(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None

    def validate_status(self, value: str) -> str:
        given = "status" in getattr(self, "initial_data", {})
        if self.instance is not None and given and value != self.instance.status:
            raise serializers.ValidationError(
                "A framework's status changes only by publishing a draft: POST to its "
                "publish/ address."
            )
        return value

    def create(self, validated_data) -> Framework:
        return framework_create(**validated_data, changed_by=self._editor())

    def update(self, instance: Framework, validated_data) -> Framework:
        validated_data.pop("status", None)  # unchanged (`validate_status`)
        return framework_update(framework=instance, **validated_data, changed_by=self._editor())


class FrameworkDraftSerializer(serializers.Serializer):
    """A draft framework from a table of a source (`engagement.services.framework_draft`)."""

    document = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Document.objects.defer("text", "reader"),
        help_text="The slug of the source document.",
    )
    table = serializers.CharField(
        max_length=200, help_text="The anchor of any passage (row) of the table."
    )
    levels = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=50),
        required=False,
        help_text="`{column heading: level slug}`: which column is which level, where the "
        "headings do not say (an empty slug or null: the column is no level). Columns not "
        "named keep the level their heading names.",
    )
    institutions = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Institution.objects.all(),
        required=False,
        help_text="Slugs of the framework's institutions.",
    )
    slug = serializers.CharField(
        max_length=100,
        required=False,
        help_text="The draft's slug; by default made of the document's slug and the table's.",
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The draft's name; by default the table's caption and the document's title.",
    )

    def create(self, validated_data) -> Framework:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return framework_draft(
            **validated_data,
            changed_by=user if user is not None and user.is_authenticated else None,
        )


class FrameworkDraftAnswerSerializer(FrameworkSerializer):
    """A framework just drafted: the framework, its status and its cells with their
    citations."""

    status = serializers.CharField(read_only=True, help_text="`draft`.")
    cells = CellSerializer(
        source="drafted_cells", many=True, read_only=True, help_text="Its cells, in grid order."
    )

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "status", "cells"]
        read_only_fields = FrameworkSerializer.Meta.fields
