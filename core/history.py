"""The history tables as the knowledge base's memory: every record stamped with the dataset
version that wrote it, and the state of any model at any version read back from them.

Every content model keeps its history with django-simple-history, its history model built
on `VersionedHistory`. A trigger stamps each record with the version of the transaction
that wrote it (`core.dataset`), so "the state at version N" is exact: for each object, its
last record at or before N, unless that record is its deletion. Times are not used: two
app servers' clocks, or a transaction that commits after a release was made, would make
them lie.

`State(version)` reads that state with the model's own instances (`StateQuerySet`), and
loads their relations at the same version (`StateQuerySet.prefetch_state`), so pages,
exports and serializers written for the current objects show an old state unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, cast

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.related import ForeignKey, ManyToManyField, ManyToManyRel, ManyToOneRel
from simple_history.manager import HistoricalQuerySet

from core.visibility import private_hidden

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class VersionedHistory(models.Model):
    """The base of every history model: the dataset version of the transaction that wrote
    the record (set by a trigger, `core.dataset`)."""

    history_version = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The dataset version of the transaction that wrote this record.",
    )

    class Meta:
        abstract = True


def display_name(user) -> str:
    """How an editor is shown to the public: the name on their account (first and last
    name), never their username or e-mail address."""
    return user.get_full_name().strip() or "an editor"


def history_model(model: type[models.Model]) -> type[models.Model]:
    """The simple-history model of a content model."""
    return model.history.model  # type: ignore[attr-defined]


def m2m_history_model(model: type[models.Model], name: str) -> type[models.Model]:
    """The history model of the rows of `model`'s many-to-many field `name`: one row per
    member, for each history record of `model`."""
    return getattr(history_model(model), name).model


def records_at(model: type[models.Model], version: int) -> models.QuerySet:
    """For each object of `model`, its last history record at or before `version` (its
    deletion included)."""
    history = history_model(model)
    key = model._meta.pk.attname
    manager = history._default_manager
    later = manager.filter(
        Q(history_version__gt=OuterRef("history_version"))
        | Q(history_version=OuterRef("history_version"), history_id__gt=OuterRef("history_id")),
        **{key: OuterRef(key)},
        history_version__lte=version,
    )
    return manager.filter(history_version__lte=version).filter(~Exists(later))


def changed_since(model: type[models.Model], ids: Iterable[int], version: int) -> dict:
    """{id: time of its last change} of the objects among `ids` changed after `version`
    (one query)."""
    history = history_model(model)
    key = model._meta.pk.attname
    rows = (
        history._default_manager.filter(**{f"{key}__in": list(ids)}, history_version__gt=version)
        .values_list(key)
        .annotate(last=models.Max("history_date"))
        .order_by()
    )
    return dict(rows)


def record_instance(record) -> models.Model:
    """The model instance a history record describes, with only the fields it loaded (a
    field the history does not keep, such as a document's `reader`, is left deferred)."""
    model = record.instance_type
    deferred = record.get_deferred_fields()
    recorded = {field.attname for field in type(record)._meta.concrete_fields}
    names = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname in recorded and f.attname not in deferred
    ]
    instance = model.from_db(record._state.db, names, [getattr(record, name) for name in names])
    instance._history = record
    return instance


class StateQuerySet(HistoricalQuerySet):
    """History records at a version, yielded as the model's own instances.

    Filter and order it as the model's queryset (`pk` means the object's id); relations are
    not joined from the current tables but loaded at the same version by
    `prefetch_state(...)`, as `prefetch_related` would.
    """

    version: int

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._state_lookups: tuple[str, ...] = ()
        self._state_done = False

    def _clone(self):
        clone = super()._clone()
        clone.version = self.version
        clone._state_lookups = self._state_lookups
        return clone

    def _object_key(self, name: str) -> str:
        """A lookup on `pk` means the object's id, not the history record's."""
        if name == "pk" or name.startswith("pk__"):
            return self._pk_attr + name[2:]
        return name

    def filter(self, *args, **kwargs) -> StateQuerySet:
        return super().filter(*args, **{self._object_key(k): v for k, v in kwargs.items()})

    def exclude(self, *args, **kwargs) -> StateQuerySet:
        return super().exclude(*args, **{self._object_key(k): v for k, v in kwargs.items()})

    def order_by(self, *field_names) -> StateQuerySet:
        names = [
            ("-" if name.startswith("-") else "") + self._object_key(name.lstrip("-"))
            if isinstance(name, str)
            else name
            for name in field_names
        ]
        return super().order_by(*names)

    def prefetch_state(self, *lookups: str) -> StateQuerySet:
        """Load these relations (`"citations__passage__document"`) at the same version."""
        clone = self._chain()
        clone._state_lookups = (*self._state_lookups, *lookups)
        return clone

    def _instanceize(self) -> None:
        cache = cast(list | None, getattr(self, "_result_cache"))  # noqa: B009
        if cache and isinstance(cache[0], self.model):
            self._result_cache = [record_instance(record) for record in cache]

    def _fetch_all(self) -> None:
        super()._fetch_all()
        if self._state_lookups and not self._state_done:
            State(self.version).prefetch(self._result_cache, *self._state_lookups)
            self._state_done = True

    def iterator(self, chunk_size: int | None = None) -> Iterator:
        """Instances a chunk at a time, each chunk's relations loaded in one go."""
        chunk_size = chunk_size or 2000
        chunk: list = []
        for record in super().iterator(chunk_size=chunk_size):
            chunk.append(record_instance(record))
            if len(chunk) == chunk_size:
                State(self.version).prefetch(chunk, *self._state_lookups)
                yield from chunk
                chunk = []
        if chunk:
            State(self.version).prefetch(chunk, *self._state_lookups)
            yield from chunk


def _cached_queryset(model: type[models.Model], version: int, objects: list) -> StateQuerySet:
    """A queryset that holds `objects` already, as a prefetch leaves one on its instance."""
    queryset = State(version).objects(model)
    queryset._result_cache = objects
    queryset._prefetch_done = True
    queryset._state_done = True
    return queryset


class State:
    """The knowledge base as it stood at dataset version `version`."""

    def __init__(self, version: int) -> None:
        self.version = version

    def objects(self, model: type[models.Model]) -> StateQuerySet:
        """`model`'s objects as they stood: each one's last record, deletions left out."""
        records = records_at(model, self.version).exclude(history_type="-")
        if private_hidden():
            from core import registry

            # What was private then (a draft and its cells) stays out of the public's view.
            rule = registry.private_rule(model, self.version)
            if rule is not None:
                records = records.exclude(rule)
        queryset = StateQuerySet(model=records.model, query=records.query, using=records.db)
        queryset._as_instances = True
        queryset.version = self.version
        # As the model's own queryset is ordered, not as history records are.
        return queryset.order_by(*tuple(model._meta.ordering or ()))

    def prefetch(self, instances: list, *lookups: str) -> None:
        """Load each lookup's relations on `instances`, as they stood: forward and reverse
        foreign keys, generic relations (citations) and many-to-many fields kept in the
        history. One query a relation (two for a many-to-many)."""
        tree: dict = {}
        for lookup in lookups:
            node = tree
            for part in lookup.split("__"):
                node = node.setdefault(part, {})
        self._prefetch(instances, tree)

    def _prefetch(self, instances: list, tree: dict) -> None:
        instances = [instance for instance in instances if instance is not None]
        if not instances:
            return
        model = type(instances[0])
        for name, subtree in tree.items():
            related = self._load(model, instances, name)
            self._prefetch(related, subtree)

    def objects_for_relation(self, model: type[models.Model]) -> StateQuerySet:
        """The related objects a prefetch loads: without the large columns their claim type
        leaves out (a document's text)."""
        from core import registry

        queryset = self.objects(model)
        claim = registry.claim_type(model._meta.app_label, str(model._meta.model_name))
        return queryset.defer(*claim.deferred) if claim is not None and claim.deferred else queryset

    def _load(self, model: type[models.Model], instances: list, name: str) -> list:
        field = model._meta.get_field(name)
        if isinstance(field, ForeignKey):
            ids = {getattr(instance, field.attname) for instance in instances} - {None}
            found = {
                obj.pk: obj
                for obj in self.objects_for_relation(field.related_model).filter(pk__in=ids)
            }
            for instance in instances:
                field.set_cached_value(instance, found.get(getattr(instance, field.attname)))
            return list(found.values())
        if isinstance(field, GenericRelation):
            content_type = ContentType.objects.get_for_model(model)
            groups = self._group(
                self.objects(field.related_model).filter(
                    **{
                        field.content_type_field_name: content_type,
                        f"{field.object_id_field_name}__in": [i.pk for i in instances],
                    }
                ),
                field.object_id_field_name,
            )
            return self._attach(instances, field.attname, field.related_model, groups)
        if isinstance(field, ManyToOneRel) and not isinstance(field, ManyToManyRel):
            remote = field.field
            groups = self._group(
                self.objects(field.related_model).filter(
                    **{f"{remote.attname}__in": [i.pk for i in instances]}
                ),
                remote.attname,
            )
            return self._attach(
                instances, str(field.get_accessor_name()), field.related_model, groups
            )
        if isinstance(field, ManyToManyField):
            return self._many_to_many(model, instances, field)
        if isinstance(field, ManyToManyRel):
            return self._many_to_many_reverse(instances, field)
        raise ValueError(f"Cannot load {model.__name__}.{name} at a version")

    @staticmethod
    def _group(queryset, attname: str) -> dict[Any, list]:
        groups: dict[Any, list] = defaultdict(list)
        for obj in queryset:
            groups[getattr(obj, attname)].append(obj)
        return groups

    def _attach(self, instances: list, cache_name: str, related_model, groups: dict) -> list:
        everything = []
        for instance in instances:
            objects = groups.get(instance.pk, [])
            cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
            cache[cache_name] = _cached_queryset(related_model, self.version, objects)
            everything += objects
        return everything

    def _m2m_rows(self, model: type[models.Model], field: ManyToManyField):
        """The history model of the field's rows, and the names of its two sides."""
        rows = m2m_history_model(model, field.name)
        own = field.m2m_field_name()
        other = field.m2m_reverse_field_name()
        return rows, f"{own}_id", f"{other}_id"

    def _many_to_many(self, model, instances: list, field: ManyToManyField) -> list:
        rows, _, other = self._m2m_rows(model, field)
        records = {instance._history.history_id: instance for instance in instances}
        members: dict[int, list[int]] = defaultdict(list)
        for history_id, member in rows._default_manager.filter(
            history_id__in=list(records)
        ).values_list("history_id", other):
            members[records[history_id].pk].append(member)
        wanted = {member for values in members.values() for member in values}
        # In the related model's own order, as the current relation lists them.
        found = list(self.objects(field.related_model).filter(pk__in=wanted))
        groups = {
            pk: [obj for obj in found if obj.pk in set(values)] for pk, values in members.items()
        }
        return self._attach(instances, field.name, field.related_model, groups)

    def _many_to_many_reverse(self, instances: list, rel: ManyToManyRel) -> list:
        field = rel.field
        owner = field.model
        rows, own, other = self._m2m_rows(owner, field)
        current = records_at(owner, self.version).exclude(history_type="-").values("history_id")
        pairs = rows._default_manager.filter(
            history_id__in=current, **{f"{other}__in": [i.pk for i in instances]}
        ).values_list(other, own)
        wanted = defaultdict(list)
        for member, owner_id in pairs:
            wanted[member].append(owner_id)
        ids = {owner_id for values in wanted.values() for owner_id in values}
        found = list(self.objects(owner).filter(pk__in=ids))
        groups = {
            member: [obj for obj in found if obj.pk in set(values)]
            for member, values in wanted.items()
        }
        return self._attach(instances, str(rel.get_accessor_name()), owner, groups)


def objects_of(model: type[models.Model], state: State | None) -> models.QuerySet:
    """`model`'s objects as they are now (`state` None), or as they stood in `state`."""
    if state is None:
        return model._default_manager.all()
    return state.objects(model)


def state_of(queryset: models.QuerySet) -> State | None:
    """The state a queryset reads: that of a StateQuerySet, None for the current one."""
    return State(queryset.version) if isinstance(queryset, StateQuerySet) else None
