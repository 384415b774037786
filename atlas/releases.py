"""Releases: the knowledge base frozen under a tag, and two states compared.

`release_create` reads the current state in one snapshot (REPEATABLE READ on PostgreSQL; a
write-locked transaction on SQLite), records its dataset version and counts, and builds its
data package once; the package lives in the database, so every app server serves the same
bytes. The state itself is never copied: `core.history` reads it back from the history
tables, which already hold every version.

`release_comparison` compares two states (two releases, or a release and the current
state): the objects added, changed and removed of each content model whose declaration
says how releases compare it (`core.registry.Compare`: today cells, levels, mandates and
relationships).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from atlas import datapackage
from core import registry
from core.dataset import dataset_version, version_seal
from core.history import State, objects_of
from core.models import Release, ReleasePackage
from core.registry import Compare
from core.textdiff import diff_html
from core.visibility import public

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
        # A release freezes what is published: never a draft, whoever makes it.
        with public(), transaction.atomic():
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
    """What changed from release `a` to release `b` (None: the current state), for every
    content model that says how releases compare it (`core.registry.Compare`). A fixed
    number of queries, whatever the size of the knowledge base."""
    states = (_state(a), _state(b))
    names: dict[type, dict[int, str]] = {}  # the names each model's objects had, by model
    differences: list[Difference] = []
    first: set[str] = set()
    for content in registry.declarations():
        if content.compare is None:
            continue
        for model in content.compare.names.values():
            if model not in names:
                names[model] = _names(model, *states)
        differences += _differences(content.name, content.model, content.compare, states, names)
        if content.compare.first:
            first.add(content.name)
    order = {"added": 0, "changed": 1, "removed": 2}
    differences.sort(
        key=lambda d: (d.kind not in first, d.group, d.subgroup, order[d.change], d.label)
    )
    return ReleaseComparison(a, b, differences)


def _differences(
    kind: str, model, compare: Compare, states: tuple[State | None, State | None], names: dict
) -> list[Difference]:
    """The objects of `model` added, changed and removed from one state to the other."""
    before = _by_id(model, states[0], *compare.columns())
    after = _by_id(model, states[1], *compare.columns())
    added, removed, changed = _compare(before, after, fields=compare.fields, texts=compare.texts)
    named = {column: names[related] for column, related in compare.names.items()}
    differences = []
    for change, ids, source in (
        ("added", added, after),
        ("changed", list(changed), after),
        ("removed", removed, before),
    ):
        for pk in ids:
            row = source[pk]
            group, subgroup, label = compare.place(row, named)
            delta = changed.get(pk) or _shown(compare, change, row)
            differences.append(Difference(kind, change, group, subgroup, label, delta))
    return differences


def _shown(compare: Compare, change: str, row: dict) -> list[tuple[str, str, str, str]]:
    """What an added or removed object shows of itself: its main text, whole."""
    if compare.shown is None:
        return []
    text = row[compare.shown]
    before, after = ("", text) if change == "added" else (text, "")
    return [
        (compare.shown, before, after, diff_html(before, after) if compare.shown_as_diff else "")
    ]
