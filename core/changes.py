"""The changes feed: every creation, change and deletion of a content object, in the order
of the dataset versions that made them, read from the history tables.

One rule for the API (`/api/v1/changes/`, oldest first from a version), the page
(`/changes/`, newest first) and the Atom feed. Each change is one history record, compared
with the record before it of the same object. The order is (version, type, record id):
every record of a version was written by one transaction, and versions are handed out in
commit order (`core.dataset`), so a reader that has seen version N has seen everything up
to it, and asking for what follows N misses nothing and repeats nothing.

The models, their names, links and scopes come from `core.registry` (`Tracked`); this
module knows no app. A page of changes costs one query to find it, then at most two per
type of object on it, whatever the length of the history.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.urls import NoReverseMatch

from core import registry
from core.filtering import CommaSeparatedMultiple
from core.history import (
    HISTORY_TYPES,
    display_name,
    history_model,
    m2m_history_model,
    record_instance,
)
from core.links import link
from core.textdiff import diff_html
from core.visibility import private_hidden

# The scopes a change can be filtered by, as query parameters: each names objects by slug.
SCOPES = ("framework", "document", "institution", "activity", "level")
PARAMETERS = ("type", *SCOPES)
# Bookkeeping: every save moves these, and they say nothing about the content.
BOOKKEEPING = frozenset({"updated_at", "added_at", "created_at"})
MAX_VERSION = 2**63 - 1
MAX_SLUGS = 50
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")


class ChangeParameterError(ValueError):
    """A query parameter of the changes feed is wrong: `errors` names each one."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(m)}" for name, m in errors.items()))
        self.errors = errors


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the feed: after (or before) the record `history_id` of the type ranked
    `rank`, in `version`."""

    version: int
    rank: int
    history_id: int

    def encode(self) -> str:
        raw = f"{self.version}.{self.rank}.{self.history_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor a `next` link carries; ValueError for anything else."""
        if not text or len(text) > 80:
            raise ValueError(text)
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            version, rank, history_id = (int(part) for part in raw.split("."))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValueError(text) from None
        if not (
            0 <= version <= MAX_VERSION and 0 <= rank < 1000 and 0 <= history_id <= MAX_VERSION
        ):
            raise ValueError(text)
        return cls(version, rank, history_id)

    @classmethod
    def after_version(cls, version: int) -> Cursor:
        """Just after everything of `version`."""
        return cls(version, 1000, MAX_VERSION)


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any
    diff: str | None = None  # word-level difference (HTML), for texts

    def as_dict(self) -> dict:
        return {"before": self.before, "after": self.after}


@dataclass
class Change:
    """One creation, change or deletion of one object."""

    cursor: Cursor
    version: int
    time: dt.datetime
    action: str  # created, changed, deleted
    type: str
    key: Any  # slug or id
    label: str  # the object in words, as it was
    editor: str | None  # public display name; None for commands
    reason: str
    api_url: str | None
    html_url: str | None  # None once the object is gone
    fields: list[FieldChange] = field(default_factory=list)
    scopes: dict[str, list[str]] = field(default_factory=dict)
    guid: str = ""  # its id in a feed

    @property
    def fields_dict(self) -> dict[str, dict]:
        return {change.name: change.as_dict() for change in self.fields}


@dataclass
class ChangeQuery:
    """Which changes: of which types, concerning which objects (ids per scope)."""

    types: list[registry.Tracked]
    scopes: dict[str, list[int]] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)  # as asked, for links
    host: str = ""  # the site's host name, for a feed's ids

    def params(self) -> dict[str, str]:
        return {name: ",".join(values) for name, values in self.chosen.items() if values}


def change_query(params: Mapping) -> ChangeQuery:
    """The query the parameters `type`, `framework`, `document`, `institution`, `activity`
    and `level` ask for (several values comma-separated or repeated); ChangeParameterError
    naming each wrong one. One query per scope given."""
    tracked = registry.tracked_types()
    widget = CommaSeparatedMultiple()
    errors: dict[str, list[str]] = {}
    chosen: dict[str, list[str]] = {}
    for name in PARAMETERS:
        values = widget.value_from_datadict(params, None, name) if name in params else []
        if len(values) > MAX_SLUGS:
            errors[name] = [f"At most {MAX_SLUGS} values."]
            continue
        chosen[name] = list(dict.fromkeys(values))
    unknown_types = [value for value in chosen.get("type", []) if value not in tracked]
    if unknown_types:
        errors["type"] = [f"No type “{unknown_types[0][:100]}”; use one of {', '.join(tracked)}."]
    scopes: dict[str, list[int]] = {}
    for name in SCOPES:
        slugs = chosen.get(name)
        if not slugs or name in errors:
            continue
        malformed = [slug for slug in slugs if not SLUG.match(slug)]
        if malformed:
            errors[name] = [f"“{malformed[0][:100]}” is not a slug (letters, digits, - and _)."]
            continue
        history = history_model(tracked[name].model)
        found: dict[str, set[int]] = defaultdict(set)
        records = history._default_manager.filter(slug__in=slugs)
        private = registry.private_history_rule(tracked[name].model) if private_hidden() else None
        if private is not None:
            records = records.exclude(private)
        pairs = records.values_list("slug", "id")
        for slug, pk in pairs.order_by().distinct():
            found[slug].add(pk)
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            errors[name] = [f"No {name} “{missing[0][:100]}” was ever in the knowledge base."]
            continue
        scopes[name] = sorted({pk for ids in found.values() for pk in ids})
    if errors:
        raise ChangeParameterError(errors)
    types = [tracked[name] for name in chosen.get("type", [])] or list(tracked.values())
    return ChangeQuery(types=types, scopes=scopes, chosen=chosen)


# --- which records --------------------------------------------------------------------------


def _scope_q(tracked: registry.Tracked, scope: str, ids: list[int]) -> Q | None:
    """The records of `tracked` that concern the `scope` objects `ids`; None for none."""
    if scope == tracked.name:
        return Q(**{f"{tracked.model._meta.pk.attname}__in": ids})
    if scope in tracked.scopes:
        return tracked.scopes[scope](ids)
    if tracked.claim_fields is None:
        return None
    # A citation concerns what its claim concerns.
    content_type_field, object_field = tracked.claim_fields
    parts = []
    for claim in registry.tracked_types().values():
        if claim.claim_fields is not None or registry.claim_type(*_key(claim.model)) is None:
            continue
        claim_q = _scope_q(claim, scope, ids)
        if claim_q is None:
            continue
        claim_ids = history_model(claim.model)._default_manager.filter(claim_q).values("id")
        parts.append(
            Q(
                **{
                    content_type_field: ContentType.objects.get_for_model(claim.model),
                    f"{object_field}__in": claim_ids,
                }
            )
        )
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _key(model: type[models.Model]) -> tuple[str, str]:
    return model._meta.app_label, str(model._meta.model_name)


def _position(rank: int, cursor: Cursor, newest_first: bool) -> Q:
    """The records of the type ranked `rank` that come after `cursor` in reading order."""
    if not newest_first:
        if rank > cursor.rank:
            return Q(history_version__gte=cursor.version)
        if rank < cursor.rank:
            return Q(history_version__gt=cursor.version)
        return Q(history_version__gt=cursor.version) | Q(
            history_version=cursor.version, history_id__gt=cursor.history_id
        )
    if rank < cursor.rank:
        return Q(history_version__lte=cursor.version)
    if rank > cursor.rank:
        return Q(history_version__lt=cursor.version)
    return Q(history_version__lt=cursor.version) | Q(
        history_version=cursor.version, history_id__lt=cursor.history_id
    )


def _ranks() -> dict[str, int]:
    return {name: rank for rank, name in enumerate(registry.tracked_types())}


def find(
    query: ChangeQuery, *, cursor: Cursor | None, newest_first: bool, limit: int
) -> list[tuple[int, int, int]]:
    """(version, rank, history id) of up to `limit` records after `cursor`, in one query."""
    ranks = _ranks()
    branches = []
    for tracked in query.types:
        rank = ranks[tracked.name]
        conditions = Q(history_version__isnull=False)
        if private_hidden():
            # A draft's records never reach the public: its publication is its first change.
            private = registry.private_history_rule(tracked.model)
            if private is not None:
                conditions &= ~private
        if cursor is not None:
            conditions &= _position(rank, cursor, newest_first)
        skip = False
        for scope, ids in query.scopes.items():
            scope_q = _scope_q(tracked, scope, ids)
            if scope_q is None:
                skip = True
                break
            conditions &= scope_q
        if skip:
            continue
        branches.append(
            history_model(tracked.model)
            ._default_manager.filter(conditions)
            .annotate(rank=Value(rank, output_field=models.IntegerField()))
            .values_list("history_version", "rank", "history_id")
            .order_by()
        )
    if not branches:
        return []
    direction = "-" if newest_first else ""
    ordering = [f"{direction}history_version", f"{direction}rank", f"{direction}history_id"]
    combined = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    return list(combined.order_by(*ordering)[:limit])


# --- what they say --------------------------------------------------------------------------


def _related_paths(tracked: registry.Tracked, history) -> tuple[list[str], list[str]]:
    """What to join to a type's records (its foreign keys, what its label reads), and the
    large columns of those joined rows to leave out."""
    paths = [f.name for f in history.tracked_fields if isinstance(f, models.ForeignKey)] + list(
        tracked.related
    )
    by_model = {t.model: t for t in registry.tracked_types().values()}
    deferred = [f"{name}" for name in tracked.excluded]
    for path in paths:
        model: Any = tracked.model
        for part in path.split("__"):
            model = model._meta.get_field(part).related_model
        target = by_model.get(model)
        if target is not None:
            deferred += [f"{path}__{name}" for name in target.excluded]
    return list(dict.fromkeys(paths)), deferred


def _records(tracked: registry.Tracked, history_ids: list[int]) -> dict[int, Any]:
    """The records, and the record before each of the same object, by history id (one
    query)."""
    history = history_model(tracked.model)
    manager = history._default_manager
    key = tracked.model._meta.pk.attname
    previous = (
        manager.filter(**{key: OuterRef(key)})
        .filter(
            Q(history_version__lt=OuterRef("history_version"))
            | Q(history_version=OuterRef("history_version"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_version", "-history_id")
        .values("history_id")[:1]
    )
    page = manager.filter(history_id__in=history_ids).annotate(previous_id=Subquery(previous))
    paths, deferred = _related_paths(tracked, history)
    records = (
        manager.filter(Q(history_id__in=history_ids) | Q(history_id__in=page.values("previous_id")))
        .annotate(previous_id=Subquery(previous))
        .select_related("history_user", *paths)
        .defer(*deferred)
        .order_by()
    )
    return {record.history_id: record for record in records}


def _value(record, name: str) -> Any:
    """A field's value as the feed shows it: related objects by their key (slug or id),
    claims' content types by their claim type, dates as ISO 8601."""
    model_field = record._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        related = getattr(record, name)
        if related is None:
            return getattr(record, model_field.attname)
        if isinstance(related, ContentType):
            claim = registry.claim_type(related.app_label, related.model)
            return claim.name if claim is not None else related.model
        target = next(
            (t for t in registry.tracked_types().values() if isinstance(related, t.model)), None
        )
        return getattr(related, target.key) if target is not None else related.pk
    value = getattr(record, model_field.attname)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _field_names(tracked: registry.Tracked, history) -> list[str]:
    skip = BOOKKEEPING | set(tracked.excluded) | {tracked.model._meta.pk.name}
    return [f.name for f in history.tracked_fields if f.name not in skip]


def _is_text(record, name: str) -> bool:
    """Words worth a word-level difference: free text, not a choice among values."""
    model_field = record._meta.get_field(name)
    return isinstance(model_field, models.CharField | models.TextField) and not model_field.choices


def _m2m_members(tracked: registry.Tracked, records: list) -> dict[str, dict[int, list]]:
    """{field: {history id: [member keys]}} of the type's many-to-many fields kept in its
    history (a framework's institutions); one query a field."""
    history = history_model(tracked.model)
    out: dict[str, dict[int, list]] = {}
    for m2m in getattr(history, "_history_m2m_fields", ()):
        rows = m2m_history_model(tracked.model, m2m.name)
        target = m2m.related_model
        member = m2m.m2m_reverse_field_name()
        key = next((t.key for t in registry.tracked_types().values() if t.model is target), "pk")
        lookup = f"{member}__{key}" if key != "pk" else f"{member}_id"
        members: dict[int, list] = defaultdict(list)
        for history_id, value in (
            rows._default_manager.filter(history_id__in=[r.history_id for r in records])
            .order_by(lookup)
            .values_list("history_id", lookup)
        ):
            members[history_id].append(value)
        out[m2m.name] = members
    return out


def _diff(tracked: registry.Tracked, record, before, m2m: dict) -> list[FieldChange]:
    action = HISTORY_TYPES[record.history_type]
    changes = []
    for name in _field_names(tracked, type(record)):
        old = _value(before, name) if before is not None and action != "created" else None
        new = _value(record, name) if action != "deleted" else None
        if action == "deleted":
            old = _value(record, name)
        if action == "changed" and old == new:
            continue
        if old in (None, "") and new in (None, ""):
            continue
        text = _is_text(record, name)
        changes.append(
            FieldChange(name, old, new, diff_html(old or "", new or "") if text else None)
        )
    for name, members in m2m.items():
        old_members = members.get(before.history_id, []) if before is not None else []
        new_members = members.get(record.history_id, [])
        if action == "created":
            old_members = []
        if action == "deleted":
            old_members, new_members = new_members, []
        if old_members != new_members:
            changes.append(FieldChange(name, old_members or None, new_members or None))
    return changes


def _current_keys(tracked: registry.Tracked, ids: set[int]) -> dict[int, Any]:
    """{id: its key now} of those objects that still exist (one query)."""
    key = "pk" if tracked.key == "pk" else tracked.key
    return dict(tracked.model._default_manager.filter(pk__in=ids).values_list("pk", key))


def _scopes_of(instance, tracked: registry.Tracked) -> dict[str, list[str]]:
    """The framework, activity and level a change belongs to, for the page's links."""
    scopes: dict[str, list[str]] = {}
    for scope in SCOPES:
        try:
            model_field = instance._meta.get_field(scope)
        except FieldDoesNotExist:
            continue
        if isinstance(model_field, models.ForeignKey):
            related = model_field.get_cached_value(instance, None)
            slug = getattr(related, "slug", None)
            if slug:
                scopes[scope] = [slug]
    return scopes


def hydrate(rows: list[tuple[int, int, int]]) -> list[Change]:
    """The changes the rows name, in the rows' order: at most three queries per type."""
    tracked_by_rank = list(registry.tracked_types().values())
    by_type: dict[int, list[int]] = defaultdict(list)
    for _, rank, history_id in rows:
        by_type[rank].append(history_id)
    built: dict[tuple[int, int], Change] = {}
    for rank, history_ids in by_type.items():
        tracked = tracked_by_rank[rank]
        records = _records(tracked, history_ids)
        page = [records[history_id] for history_id in history_ids if history_id in records]
        m2m = _m2m_members(tracked, list(records.values()))
        current = _current_keys(tracked, {getattr(r, "id") for r in page})  # noqa: B009
        paths, _ = _related_paths(tracked, type(page[0])) if page else ([], [])
        for record in page:
            built[(rank, record.history_id)] = _change(
                tracked, rank, record, records.get(record.previous_id), m2m, current, paths
            )
    return [built[(rank, hid)] for _, rank, hid in rows if (rank, hid) in built]


def _change(tracked, rank, record, before, m2m, current, paths) -> Change:
    instance = record_instance(record)
    for path in paths:
        name = path.split("__")[0]
        model_field = instance._meta.get_field(name)
        assert isinstance(model_field, models.ForeignKey)
        model_field.set_cached_value(instance, getattr(record, name))
    action = HISTORY_TYPES[record.history_type]
    object_id = getattr(record, tracked.model._meta.pk.attname)
    exists = object_id in current
    if exists:
        key = current[object_id]
    else:  # a history record's own pk is its history id: the object's is `object_id`
        key = object_id if tracked.key == "pk" else getattr(record, tracked.key)
    if exists and tracked.key != "pk":
        setattr(instance, tracked.key, key)
    try:
        label = tracked.label(instance)
    except ObjectDoesNotExist:  # its label names an object deleted since (a passage's document)
        label = f"{tracked.name} {key}"
    html_url = None
    if exists and action != "deleted":
        try:
            html_url = tracked.url(instance)
        except (AttributeError, NoReverseMatch):  # its link needs an object gone since
            html_url = None
    return Change(
        cursor=Cursor(record.history_version, rank, record.history_id),
        version=record.history_version,
        time=record.history_date,
        action=action,
        type=tracked.name,
        key=key,
        label=label,
        editor=display_name(record.history_user) if record.history_user else None,
        reason=record.history_change_reason or "",
        api_url=link(f"api:{tracked.api}-detail", key) if tracked.api else None,
        html_url=html_url,
        fields=_diff(tracked, record, before, m2m),
        scopes=_scopes_of(instance, tracked),
    )


@dataclass
class ChangePage:
    changes: list[Change]
    next: Cursor | None  # where the next page starts; None at the end


def change_page(
    query: ChangeQuery, *, cursor: Cursor | None, newest_first: bool, limit: int
) -> ChangePage:
    """Up to `limit` changes after `cursor`, and the cursor of the next page."""
    rows = find(query, cursor=cursor, newest_first=newest_first, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    following = Cursor(*rows[-1]) if more and rows else None
    return ChangePage(hydrate(rows), following)


def all_changes(query: ChangeQuery, *, since: int, chunk: int = 500) -> Iterator[Change]:
    """Every change after `since`, oldest first, a chunk at a time (for CSV)."""
    cursor: Cursor | None = Cursor.after_version(since)
    while cursor is not None:
        page = change_page(query, cursor=cursor, newest_first=False, limit=chunk)
        yield from page.changes
        cursor = page.next
