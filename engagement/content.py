"""The content models of engagement, each declared once (`core.registry.Content`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from core.history import history_model, m2m_history_model, records_at
from core.package import Column, Table, fk, id_column, slug_column
from core.registry import Claim, Compare, Content, Names, Row, ScopeRule
from engagement.models import (
    Activity,
    Cell,
    CellEvidence,
    EngagementLevel,
    Framework,
    FrameworkStatus,
)

_frameworks = history_model(Framework)._default_manager
_members = m2m_history_model(Framework, "institutions")._default_manager


def _of_documents(ids):
    return _frameworks.filter(document_id__in=ids).values("id")


def _of_institutions(ids):
    return _members.filter(institution_id__in=ids).values("framework_id")


# What is private (`core.visibility`): a draft framework, its cells (their citations follow
# from the cells being claims), and the activities that only drafts hold: an activity with a
# cell in a draft and none in a published framework. An activity with no cell at all is the
# shared vocabulary, and shows.


def _drafts(version: int | None = None):
    """The ids of the drafts now, or of those that were drafts at `version`."""
    if version is None:
        return Framework._base_manager.filter(status=FrameworkStatus.DRAFT).values("pk")
    return records_at(Framework, version).filter(status=FrameworkStatus.DRAFT).values("id")


def _framework_private(version: int | None = None) -> Q:
    return Q(status=FrameworkStatus.DRAFT)


def _cell_private(version: int | None = None) -> Q:
    return Q(framework_id__in=_drafts(version))


def _activity_private(version: int | None = None) -> Q:
    """The activities a draft holds and no published framework does (now, or at `version`):
    found from the drafts' cells (the cells' framework index), each asked of that
    activity's own cells, not by a pass over every cell of every framework (which cost
    15 ms a page at x1000 on PostgreSQL)."""
    if version is None:
        cells = Cell._base_manager.all()
    else:
        cells = records_at(Cell, version).exclude(history_type="-")
    drafts = _drafts(version)
    elsewhere = cells.filter(activity_id=OuterRef("activity_id")).exclude(framework_id__in=drafts)
    held = cells.filter(framework_id__in=drafts).exclude(Exists(elsewhere))
    return Q(id__in=held.values("activity_id"))


def _cell_private_history(version) -> Q:
    """A cell's records written while its framework was a draft (its framework's last record
    at or before them says draft), and every record of the cells of today's drafts: once
    published, the public's feed shows the publication and what came after, not the
    drafting."""
    status_then = (
        _frameworks.filter(id=OuterRef("framework_id"), history_version__lte=version)
        .order_by("-history_version", "-history_id")
        .values("status")[:1]
    )
    drafted = Exact(
        Coalesce(Subquery(status_then), Value(FrameworkStatus.PUBLISHED)),
        Value(FrameworkStatus.DRAFT),
    )
    return Q(framework_id__in=_drafts()) | Q(drafted)


LEVELS = Table(
    "levels",
    "Levels of engagement, deepest integration first",
    EngagementLevel,
    [
        id_column(),
        slug_column(),
        Column("name", "string", "name", required=True),
        Column("ordinal", "integer", "ordinal", required=True),
        Column("definition", "string", "definition"),
        Column("conditions", "string", "conditions"),
    ],
)

ACTIVITIES = Table(
    "activities",
    "Common activities",
    Activity,
    [
        id_column(),
        slug_column(),
        Column("name", "string", "name", required=True),
        Column("ordinal", "integer", "ordinal", required=True),
    ],
)

FRAMEWORKS = Table(
    "frameworks",
    "Frameworks (matrices)",
    Framework,
    [
        id_column(),
        slug_column(),
        Column("name", "string", "name", required=True),
        Column("description", "string", "description"),
        Column("ordinal", "integer", "ordinal"),
        Column("document", "string", "document__slug", "Its source.", required=True),
    ],
    foreign_keys=[fk("document", "documents", "slug")],
)

FRAMEWORK_INSTITUTIONS = Table(
    "framework_institutions",
    "The institutions of each framework",
    Framework.institutions.through,
    [
        Column("framework", "string", "framework__slug", required=True),
        Column("institution", "string", "institution__slug", required=True),
    ],
    primary_key=["framework", "institution"],
    foreign_keys=[
        fk("framework", "frameworks", "slug"),
        fk("institution", "institutions", "slug"),
    ],
    order_by=("framework__slug", "institution__slug"),
)

CELLS = Table(
    "cells",
    "Cells: framework x activity x level",
    Cell,
    [
        id_column(),
        Column("framework", "string", "framework__slug", required=True),
        Column("activity", "string", "activity__slug", required=True),
        Column("level", "string", "level__slug", required=True),
        Column("kind", "string", "kind", "verbatim, analyst or empty.", required=True),
        Column("text", "string", "text"),
        Column("emphasised", "boolean", "emphasised", required=True),
        Column(
            "evidence",
            "string",
            "evidence",
            "stated (a verbatim cell), inferred (an analyst's), or for an empty cell "
            "none_stated (the source gives no entry) or not_assessed.",
            required=True,
            enum=tuple(CellEvidence.values),
        ),
        Column("note", "string", "note", "An inferred cell's reasoning, plain text."),
    ],
    foreign_keys=[
        fk("framework", "frameworks", "slug"),
        fk("activity", "activities", "slug"),
        fk("level", "levels", "slug"),
    ],
    order_by=("framework__ordinal", "framework__slug", "activity__ordinal", "level__ordinal"),
)


def _level_place(row: Row, names: Names) -> tuple[str, str, str]:
    return "Levels", "", row["name"]


def _cell_place(row: Row, names: Names) -> tuple[str, str, str]:
    framework = names["framework_id"].get(row["framework_id"], row["framework_id"])
    activities, levels = names["activity_id"], names["level_id"]
    return (
        f"Framework: {framework}",
        activities.get(row["activity_id"], str(row["activity_id"])),
        f"{activities.get(row['activity_id'], '?')} / {levels.get(row['level_id'], '?')}",
    )


def _cell_label(cell) -> str:
    return f"{cell.activity.name} / {cell.level.name} ({cell.framework.name})"


# A framework's pages show it and its cells; the indexes list the frameworks by name, source
# and institution. Levels and activities are the vocabulary every framework shares.
CONTENT = (
    Content(
        model=EngagementLevel,
        name="level",
        label=lambda level: level.name,
        api="level",
        text="definition",
        scopes=(ScopeRule("vocabulary"),),
        claim=Claim(kind="Level", owners=(("vocabulary", None),), search=("name",)),
        tables=(LEVELS,),
        compare=Compare(
            fields=("name", "definition", "conditions"),
            texts=("name", "definition", "conditions"),
            place=_level_place,
            first=True,
        ),
    ),
    Content(
        model=Activity,
        name="activity",
        label=lambda a: a.name,
        api="activity",
        text="name",
        scopes=(ScopeRule("vocabulary"),),
        claim=Claim(kind="Activity", owners=(("vocabulary", None),), search=("name",)),
        tables=(ACTIVITIES,),
        private=_activity_private,
        private_history=lambda version: _activity_private(),
    ),
    Content(
        model=Framework,
        name="framework",
        label=lambda f: f.name,
        api="framework",
        text="description",
        scopes=(ScopeRule("frameworks"), ScopeRule("framework", "id")),
        m2m_scopes={
            "institutions": (
                ScopeRule("frameworks"),
                ScopeRule("framework", "framework_id"),
                ScopeRule("institution", "institution_id"),
            )
        },
        change_scopes={
            "document": lambda ids: Q(document_id__in=ids),
            "institution": lambda ids: Q(id__in=_of_institutions(ids)),
        },
        tables=(FRAMEWORKS, FRAMEWORK_INSTITUTIONS),
        private=_framework_private,
        m2m_private={"institutions": lambda: Q(framework_id__in=_drafts())},
        # Its records as a draft; its publication (draft -> published) is the first shown.
        private_history=lambda version: _framework_private(),
    ),
    Content(
        model=Cell,
        name="cell",
        label=_cell_label,
        key="pk",
        api="cell",
        related=("framework", "activity", "level"),
        text="text",
        scopes=(ScopeRule("framework", "framework_id"),),
        change_scopes={
            "framework": lambda ids: Q(framework_id__in=ids),
            "activity": lambda ids: Q(activity_id__in=ids),
            "level": lambda ids: Q(level_id__in=ids),
            "document": lambda ids: Q(framework_id__in=_of_documents(ids)),
            "institution": lambda ids: Q(framework_id__in=_of_institutions(ids)),
        },
        claim=Claim(
            kind="Cell",
            label=lambda c: f"Cell {_cell_label(c)}",
            owners=(("framework", "framework_id"),),
            search=("activity__name", "level__name", "framework__name", "framework__slug"),
        ),
        tables=(CELLS,),
        private=_cell_private,
        private_history=_cell_private_history,
        compare=Compare(
            fields=("kind", "text", "emphasised", "evidence", "note"),
            texts=("text", "note"),
            names={"framework_id": Framework, "activity_id": Activity, "level_id": EngagementLevel},
            place=_cell_place,
            shown="text",
            shown_as_diff=True,
        ),
    ),
)
