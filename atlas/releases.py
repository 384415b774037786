"""Releases: the knowledge base frozen under a tag, and two states compared.

`release_create` reads the current state in one snapshot (REPEATABLE READ on PostgreSQL; a
write-locked transaction on SQLite), records its dataset version and counts, and builds its
data package once; the package lives in the database, so every app server serves the same
bytes. The state itself is never copied: `core.history` reads it back from the history
tables, which already hold every version.

`release_comparison` compares two states (two releases, or a release and the current
state): the cells, mandates, relationships and level texts added, changed and removed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from atlas import datapackage
from core.dataset import dataset_version, version_seal
from core.history import State, objects_of
from core.models import Release, ReleasePackage
from core.textdiff import diff_html
from engagement.models import Activity, Cell, EngagementLevel, Framework
from institutions.models import Function, Institution, Mandate, Relationship

# Path segments under /releases/ that are pages, not tags.
RESERVED_TAGS = frozenset({"compare"})
CURRENT = "current"


class ReleaseError(Exception):
    """A release cannot be made as asked; the message says why."""


def release_create(*, tag: str, title: str = "", notes: str = "", site_url: str = "") -> Release:
    """Freeze the current state under `tag`: its version, counts and data package."""
    release = Release(tag=tag, title=title, notes=notes, created_at=timezone.now(), version=0)
    if tag.lower() in RESERVED_TAGS or tag.lower() == CURRENT:
        raise ReleaseError(f"“{tag}” is a word of the releases' pages, not a tag.")
    if Release.objects.filter(tag=tag).exists():
        raise ReleaseError(f"A release is already tagged “{tag}”.")
    try:
        release.full_clean(exclude=["version", "created_at", "counts"], validate_unique=False)
    except ValidationError as error:
        messages = [f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()]
        raise ReleaseError("; ".join(messages)) from None
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # One snapshot for the version, the counts and every table of the package.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            release.version = dataset_version().version
            content, counts = datapackage.build_datapackage(
                version=release.version,
                created=release.created_at,
                site_url=site_url,
                release=release,
            )
            release.counts = counts
            release.save()
            ReleasePackage.objects.create(
                release=release,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
            version_seal()
    except IntegrityError:
        raise ReleaseError(f"A release is already tagged “{tag}”.") from None
    return release


# --- two states compared -----------------------------------------------------------------


@dataclass
class Difference:
    """One thing added, changed or removed between two states."""

    kind: str  # cell, mandate, relationship, level
    change: str  # added, changed, removed
    group: str  # framework, institution...: where it is
    subgroup: str  # activity...
    label: str
    fields: list[tuple[str, str, str, str]] = field(default_factory=list)  # name, a, b, diff
    url: str | None = None

    def csv_row(self) -> list[str]:
        if not self.fields:
            return [self.kind, self.change, self.group, self.subgroup, self.label, "", "", ""]
        return [
            self.kind,
            self.change,
            self.group,
            self.subgroup,
            self.label,
            "; ".join(name for name, *_ in self.fields),
            "\n".join(before for _, before, _, _ in self.fields),
            "\n".join(after for _, _, after, _ in self.fields),
        ]


CSV_COLUMNS = ["kind", "change", "group", "subgroup", "what", "fields", "a", "b"]


@dataclass
class ReleaseComparison:
    a: Release
    b: Release | None  # None: the current state
    differences: list[Difference]

    def grouped(self) -> list[tuple[str, list[Difference]]]:
        groups: dict[str, list[Difference]] = {}
        for difference in self.differences:
            groups.setdefault(difference.group, []).append(difference)
        return list(groups.items())

    def count(self, change: str) -> int:
        return sum(d.change == change for d in self.differences)


def _state(release: Release | None) -> State | None:
    return State(release.version) if release is not None else None


def _by_id(model, state, *names):
    return {row["id"]: row for row in objects_of(model, state).values("id", *names)}


def _names(model, *states, name: str = "name") -> dict[int, str]:
    """Each object's name in the later state it is found in (ids of objects since gone too)."""
    names: dict[int, str] = {}
    for state in states:
        names.update(objects_of(model, state).values_list("id", name))
    return names


def _compare(
    before: dict, after: dict, *, fields: tuple[str, ...], texts: tuple[str, ...] = ()
) -> tuple[list[int], list[int], dict[int, list[tuple[str, str, str, str]]]]:
    added = [pk for pk in after if pk not in before]
    removed = [pk for pk in before if pk not in after]
    changed: dict[int, list[tuple[str, str, str, str]]] = {}
    for pk in before.keys() & after.keys():
        delta = []
        for name in fields:
            old, new = before[pk][name], after[pk][name]
            if old != new:
                old_text, new_text = _text(old), _text(new)
                delta.append(
                    (
                        name,
                        old_text,
                        new_text,
                        diff_html(old_text, new_text) if name in texts else "",
                    )
                )
        if delta:
            changed[pk] = delta
    return added, removed, changed


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def release_comparison(a: Release, b: Release | None) -> ReleaseComparison:
    """What changed from release `a` to release `b` (None: the current state). A fixed
    number of queries, whatever the size of the knowledge base."""
    state_a, state_b = _state(a), _state(b)
    differences: list[Difference] = []
    frameworks = _names(Framework, state_a, state_b)
    activities = _names(Activity, state_a, state_b)
    levels = _names(EngagementLevel, state_a, state_b)
    cell_fields = ("framework_id", "activity_id", "level_id", "kind", "text", "emphasised")
    cells_a = _by_id(Cell, state_a, *cell_fields)
    cells_b = _by_id(Cell, state_b, *cell_fields)
    added, removed, changed = _compare(
        cells_a, cells_b, fields=("kind", "text", "emphasised"), texts=("text",)
    )
    for change, ids, source in (
        ("added", added, cells_b),
        ("changed", list(changed), cells_b),
        ("removed", removed, cells_a),
    ):
        for pk in ids:
            row = source[pk]
            delta = changed.get(pk, [])
            if change == "added":
                delta = [("text", "", row["text"], diff_html("", row["text"]))]
            elif change == "removed":
                delta = [("text", row["text"], "", diff_html(row["text"], ""))]
            differences.append(
                Difference(
                    "cell",
                    change,
                    f"Framework: {frameworks.get(row['framework_id'], row['framework_id'])}",
                    activities.get(row["activity_id"], str(row["activity_id"])),
                    f"{activities.get(row['activity_id'], '?')} / {levels.get(row['level_id'], '?')}",
                    delta,
                )
            )

    level_fields = ("name", "definition", "conditions")
    added, removed, changed = _compare(
        _by_id(EngagementLevel, state_a, *level_fields),
        _by_id(EngagementLevel, state_b, *level_fields),
        fields=level_fields,
        texts=level_fields,
    )
    for change, ids in (("added", added), ("changed", list(changed)), ("removed", removed)):
        for pk in ids:
            differences.append(
                Difference(
                    "level", change, "Levels", "", levels.get(pk, str(pk)), changed.get(pk, [])
                )
            )

    institutions = _names(Institution, state_a, state_b)
    functions = _names(Function, state_a, state_b)
    mandate_fields = ("institution_id", "function_id", "status", "statement")
    mandates_a = _by_id(Mandate, state_a, *mandate_fields)
    mandates_b = _by_id(Mandate, state_b, *mandate_fields)
    added, removed, changed = _compare(
        mandates_a, mandates_b, fields=("status", "statement"), texts=("statement",)
    )
    for change, ids, source in (
        ("added", added, mandates_b),
        ("changed", list(changed), mandates_b),
        ("removed", removed, mandates_a),
    ):
        for pk in ids:
            row = source[pk]
            delta = changed.get(pk) or [("statement", "", row["statement"], "")]
            if change == "removed":
                delta = [("statement", row["statement"], "", "")]
            differences.append(
                Difference(
                    "mandate",
                    change,
                    f"Institution: {institutions.get(row['institution_id'], row['institution_id'])}",
                    "Functions",
                    functions.get(row["function_id"], str(row["function_id"])),
                    delta,
                )
            )

    relationship_fields = ("subject_id", "object_id", "kind", "description", "date", "date_note")
    relationships_a = _by_id(Relationship, state_a, *relationship_fields)
    relationships_b = _by_id(Relationship, state_b, *relationship_fields)
    added, removed, changed = _compare(
        relationships_a,
        relationships_b,
        fields=("kind", "description", "date", "date_note"),
        texts=("description",),
    )
    for change, ids, source in (
        ("added", added, relationships_b),
        ("changed", list(changed), relationships_b),
        ("removed", removed, relationships_a),
    ):
        for pk in ids:
            row = source[pk]
            subject = institutions.get(row["subject_id"], str(row["subject_id"]))
            obj = institutions.get(row["object_id"], str(row["object_id"]))
            delta = changed.get(pk) or [("description", "", row["description"], "")]
            if change == "removed":
                delta = [("description", row["description"], "", "")]
            differences.append(
                Difference(
                    "relationship",
                    change,
                    f"Institution: {subject}",
                    "Relationships",
                    f"{subject} – {row['kind']} – {obj}",
                    delta,
                )
            )
    order = {"added": 0, "changed": 1, "removed": 2}
    differences.sort(
        key=lambda d: (d.kind != "level", d.group, d.subgroup, order[d.change], d.label)
    )
    return ReleaseComparison(a, b, differences)
