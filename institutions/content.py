"""The content models of institutions, each declared once (`core.registry.Content`)."""

from __future__ import annotations

from django.db.models import Q

from core.package import Column, Table, fk, id_column, slug_column
from core.registry import Claim, Compare, Content, Names, Row, ScopeRule
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship

INSTITUTIONS = Table(
    "institutions",
    "Institutions",
    Institution,
    [
        id_column(),
        slug_column(),
        Column("name", "string", "name", required=True),
        Column("short_name", "string", "short_name"),
        Column("kind", "string", "kind", required=True),
        Column("jurisdiction", "string", "jurisdiction"),
        Column("parent", "string", "parent__slug", "The body it is part of."),
    ],
    foreign_keys=[{"fields": ["parent"], "reference": {"fields": ["slug"]}}],
)

ALIASES = Table(
    "institution_aliases",
    "Other names of the institutions",
    InstitutionAlias,
    [
        id_column(),
        Column("institution", "string", "institution__slug", required=True),
        Column("name", "string", "name", required=True),
        Column("is_former", "boolean", "is_former"),
        Column("valid_from", "date", "valid_from"),
        Column("valid_until", "date", "valid_until"),
        Column("note", "string", "note"),
    ],
    foreign_keys=[fk("institution", "institutions", "slug")],
)

FUNCTIONS = Table(
    "functions",
    "Functions (the brief's Comparisons of Functions)",
    Function,
    [
        id_column(),
        slug_column(),
        Column("name", "string", "name", required=True),
        Column("ordinal", "integer", "ordinal"),
    ],
)

MANDATES = Table(
    "mandates",
    "Each institution's status for each function",
    Mandate,
    [
        id_column(),
        Column("institution", "string", "institution__slug", required=True),
        Column("function", "string", "function__slug", required=True),
        Column("status", "string", "status", "yes, partial or no.", required=True),
        Column("statement", "string", "statement", "The source's own words.", required=True),
    ],
    foreign_keys=[
        fk("institution", "institutions", "slug"),
        fk("function", "functions", "slug"),
    ],
)

RELATIONSHIPS = Table(
    "relationships",
    "Ties between institutions",
    Relationship,
    [
        id_column(),
        slug_column(),
        Column("kind", "string", "kind", required=True),
        Column("subject", "string", "subject__slug", required=True),
        Column("object", "string", "object__slug", required=True),
        Column("description", "string", "description"),
        Column("date", "date", "date"),
        Column("date_note", "string", "date_note"),
    ],
    foreign_keys=[
        fk("subject", "institutions", "slug"),
        fk("object", "institutions", "slug"),
    ],
)


def _mandate_place(row: Row, names: Names) -> tuple[str, str, str]:
    institution = names["institution_id"].get(row["institution_id"], row["institution_id"])
    function = names["function_id"].get(row["function_id"], str(row["function_id"]))
    return f"Institution: {institution}", "Functions", function


def _relationship_place(row: Row, names: Names) -> tuple[str, str, str]:
    subject = names["subject_id"].get(row["subject_id"], str(row["subject_id"]))
    obj = names["object_id"].get(row["object_id"], str(row["object_id"]))
    return f"Institution: {subject}", "Relationships", f"{subject} – {row['kind']} – {obj}"


def _alias_label(alias) -> str:
    return f"“{alias.name}”, a name of {alias.institution.name}"


def _relationship_label(relationship) -> str:
    r = relationship
    return f"{r.subject.name} – {r.get_kind_display()} – {r.object.name}"


# An institution's page shows its names, functions, ties and units (a unit's write moves
# its parent); the index lists institutions by any of their names, and the pickers offer
# those with functions.
CONTENT = (
    Content(
        model=Institution,
        name="institution",
        label=lambda i: i.name,
        api="institution",
        text="name",
        scopes=(
            ScopeRule("institutions"),
            ScopeRule("institution", "id"),
            ScopeRule("institution", "parent_id"),
        ),
        claim=Claim(kind="Institution", owners=(("institution", "id"),), search=("name", "slug")),
        tables=(INSTITUTIONS,),
    ),
    Content(
        model=InstitutionAlias,
        name="alias",
        label=_alias_label,
        key="pk",
        url=lambda a: a.institution.get_absolute_url(),
        related=("institution",),
        text="name",
        scopes=(ScopeRule("institutions"), ScopeRule("institution", "institution_id")),
        change_scopes={"institution": lambda ids: Q(institution_id__in=ids)},
        claim=Claim(
            kind="Name",
            owners=(("institution", "institution_id"),),
            search=("name", "institution__name"),
        ),
        tables=(ALIASES,),
    ),
    Content(
        model=Function,
        name="function",
        label=lambda f: f.name,
        api="function",
        url=lambda f: None,
        text="name",
        scopes=(ScopeRule("vocabulary"),),
        claim=Claim(kind="Function", owners=(("vocabulary", None),), search=("name",)),
        tables=(FUNCTIONS,),
    ),
    Content(
        model=Mandate,
        name="mandate",
        label=lambda m: f"{m.institution.name}: {m.function.name}",
        key="pk",
        api="mandate",
        url=lambda m: f"{m.institution.get_absolute_url()}#functions",
        related=("institution", "function"),
        text="statement",
        scopes=(ScopeRule("institutions"), ScopeRule("institution", "institution_id")),
        change_scopes={"institution": lambda ids: Q(institution_id__in=ids)},
        claim=Claim(
            kind="Function status",
            label=lambda m: f"{m.institution.name}: {m.function.name} ({m.statement})",
            owners=(("institution", "institution_id"),),
            search=("institution__name", "function__name", "statement"),
        ),
        tables=(MANDATES,),
        compare=Compare(
            fields=("status", "statement"),
            texts=("statement",),
            names={"institution_id": Institution, "function_id": Function},
            place=_mandate_place,
            shown="statement",
        ),
    ),
    Content(
        model=Relationship,
        name="relationship",
        label=_relationship_label,
        api="relationship",
        url=lambda r: f"{r.subject.get_absolute_url()}#relationships",
        related=("subject", "object"),
        text="description",
        scopes=(ScopeRule("institution", "subject_id"), ScopeRule("institution", "object_id")),
        change_scopes={"institution": lambda ids: Q(subject_id__in=ids) | Q(object_id__in=ids)},
        claim=Claim(
            kind="Relationship",
            owners=(("institution", "subject_id"), ("institution", "object_id")),
            search=("subject__name", "object__name", "kind", "description"),
        ),
        tables=(RELATIONSHIPS,),
        compare=Compare(
            fields=("kind", "description", "date", "date_note"),
            texts=("description",),
            names={"subject_id": Institution, "object_id": Institution},
            place=_relationship_place,
            shown="description",
        ),
    ),
)
