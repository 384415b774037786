"""What the apps tell the core about themselves, filled from their `AppConfig.ready()`.

A package low in the layers (core, sources) must not import the apps above it, yet some of
its work needs to know them: which tables hold content (the dataset version's triggers,
backups, the editors' permissions), which scopes a write moves, which objects are claims
that cite passages (the reader's "cited by", the citations API), how the changes feed names
an object, what the data package and the comparison of releases hold. Each app declares
each of its content models here once, as one `Content` (in its `content.py`, registered
from `ready()`), as Django's admin learns about models; every one of those mechanisms is
derived from the declarations (`ScopeRule`s, `ClaimType`s, `Tracked` types, tables), and
nothing below imports the apps. `core.checks` fails `manage.py check` for a model with
history that no declaration names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady
from django.db import models
from django.db.models import OuterRef, Q

from core.package import Table


@dataclass(frozen=True)
class ScopeRule:
    """A scope that a write to a row of some table moves (`core.scopes`), as a `Content`
    declares it: `kind` alone (a collection, such as "frameworks") when `column` is None,
    else `kind:<id>` with the id read from `column` of the row, or, with `via` = (table,
    column of the row holding its id), from `column` of that other table's row. `claim` =
    (app label, model) keeps only the rows whose content type is that model (a generic
    foreign key's rows)."""

    kind: str
    column: str | None = None
    via: tuple[str, str] | None = None
    claim: tuple[str, str] | None = None


@dataclass(frozen=True)
class ClaimType:
    """A kind of claim: a content model whose facts cite passages of the sources. Derived
    from its declaration (`Content.claim`), never written by hand."""

    name: str  # in the API (`claim_type`) and the data package: "cell", "mandate"...
    model: type[models.Model]
    kind: str  # as a reader names it: "Cell", "Function status"
    label: Callable[[Any], str]  # the claim in words
    url: Callable[[Any], str | None] = field(default=lambda claim: claim.get_absolute_url())
    related: tuple[str, ...] = ()  # what `label` and `url` read, joined in one query
    deferred: tuple[str, ...] = ()  # large columns they do not read
    # The scopes whose pages show the claim, as (kind, column of the claim holding the id)
    # or (kind, None): a cell belongs to ("framework", "framework_id"). A write to one of
    # its citations moves them (`core.scopes`).
    owners: tuple[tuple[str, str | None], ...] = ()
    # The fields whose words name the claim (lookups through `related`), for the editors'
    # claim picker: a claim matches when each word typed is in one of them.
    search: tuple[str, ...] = ()

    def scopes(self, claim) -> list[str]:
        """The owners' scopes of `claim`, as `core.cache.depends_on` takes them."""
        return [
            kind if column is None else f"{kind}:{getattr(claim, column)}"
            for kind, column in self.owners
        ]

    def queryset(self) -> models.QuerySet:
        """The claims with what their label and page need (for a GenericPrefetch), in no
        order: a prefetch matches them by key, and the model's ordering would join tables."""
        queryset = self.model._default_manager.select_related(*self.related).order_by()
        return queryset.defer(*self.deferred) if self.deferred else queryset

    @property
    def key(self) -> tuple[str, str]:
        """(app label, model name), as a content type names the model."""
        return (self.model._meta.app_label, str(self.model._meta.model_name))


Scope = Callable[[Any], Any]  # a subquery of ids of the scope's objects -> Q over the history


@dataclass(frozen=True)
class Tracked:
    """A content model as the changes feed and the release banner see it. Derived from its
    declaration (`Content.tracked`), never written by hand."""

    name: str  # the change's `type`: "cell", "passage"...
    model: type[models.Model]
    label: Callable[[Any], str]  # the object in words, its `related` loaded
    key: str = "slug"  # what names it in the API and the feed: "slug" or "pk"
    api: str | None = None  # the basename of its API detail route
    url: Callable[[Any], str | None] = field(default=lambda obj: obj.get_absolute_url())
    related: tuple[str, ...] = ()  # what `label` and `url` read
    text: str | None = None  # the field holding its words, shown beside a change
    # The scopes it belongs to: {"framework": scope, ...}. A scope maps a subquery of the
    # ids of that scope's objects (frameworks...) to a Q over this model's history records.
    scopes: dict[str, Scope] = field(default_factory=dict)
    # Fields left out of its changes: bookkeeping, derived or too large to repeat.
    excluded: tuple[str, ...] = ()
    # A citation's scopes are those of its claim: (content type field, object id field).
    claim_fields: tuple[str, str] | None = None


# --- the declaration ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Claim:
    """What makes a content model a kind of claim: its facts cite passages of the sources."""

    kind: str  # as a reader names it: "Cell", "Function status"
    # The scopes whose pages show the claim, as (kind, column of the claim holding the id)
    # or (kind, None): a cell belongs to ("framework", "framework_id").
    owners: tuple[tuple[str, str | None], ...]
    label: Callable[[Any], str] | None = None  # the claim in words, if not the content's label
    deferred: tuple[str, ...] = ()  # large columns its label and page do not read
    # The fields whose words name it (lookups through `related`), for the claim picker.
    search: tuple[str, ...] = ()


Row = Mapping[str, Any]
Names = Mapping[str, Mapping[Any, str]]  # {column: {id: name of the object it names}}


@dataclass(frozen=True, kw_only=True)
class Compare:
    """How the comparison of two releases (`atlas.releases`) lists a model's objects that
    were added, changed or removed. It reads their rows (`fields` and the columns of
    `names`) in both states: no instance, no relation."""

    fields: tuple[str, ...]  # compared, in this order
    texts: tuple[str, ...] = ()  # those shown as word-level differences
    # Columns naming another object: that object's model, whose `name` is read in both
    # states (the later one wins), so that even an object since removed is named.
    names: Mapping[str, type[models.Model]] = field(default_factory=dict)
    # (group, subgroup, label) of a row: where the page lists it, and what it is.
    place: Callable[[Row, Names], tuple[str, str, str]]
    # The field an added or removed object shows whole (before or after), if any, and
    # whether as a word-level difference.
    shown: str | None = None
    shown_as_diff: bool = False
    first: bool = False  # its group is listed before all the others

    def columns(self) -> tuple[str, ...]:
        return (*self.names, *self.fields)


def _absolute_url(obj: Any) -> str | None:
    return obj.get_absolute_url()


@dataclass(frozen=True, kw_only=True)
class Content:
    """A content model, declared once: its rows are the knowledge base. Every mechanism that
    must know the content models reads these declarations, and none is written twice:

    - the dataset version's triggers, the backups and the editors' permissions: `model`, its
      many-to-many tables and its history (django-simple-history, required);
    - the scopes a write moves (`core.scopes`): `scopes`, `m2m_scopes`;
    - claims that cite passages (the reader's "cited by", the citations API): `claim`;
    - the changes feed (`core.changes`): `name`, `label`, `key`, `api`, `url`, `related`,
      `text`, `excluded`, `change_scopes`, `cites`;
    - the data package (`atlas.datapackage`): `tables`;
    - the comparison of releases (`atlas.releases`): `compare`.

    `manage.py check` fails when a model with history is left undeclared (`core.checks`).
    """

    model: type[models.Model]
    name: str  # in the API and the feed (`type`, `claim_type`): "cell", "mandate"...
    label: Callable[[Any], str]  # the object in words, its `related` loaded
    key: str = "slug"  # what names it in the API and the feed: "slug" or "pk"
    api: str | None = None  # the basename of its API detail route
    url: Callable[[Any], str | None] = _absolute_url  # its page
    related: tuple[str, ...] = ()  # what `label` and `url` read, joined in one query
    text: str | None = None  # the field holding its words, shown beside a change
    # Fields left out of its changes: bookkeeping, derived or too large to repeat.
    excluded: tuple[str, ...] = ()
    # The scopes a write to its rows moves (`core.scopes`), and those a write to the rows
    # of its many-to-many fields moves, by field name.
    scopes: tuple[ScopeRule, ...] = ()
    m2m_scopes: Mapping[str, tuple[ScopeRule, ...]] = field(default_factory=dict)
    # The feed's filters it answers: {"framework": scope, ...}. A scope maps a subquery of
    # the ids of that scope's objects to a Q over this model's history records.
    change_scopes: Mapping[str, Scope] = field(default_factory=dict)
    claim: Claim | None = None
    # For rows that point at claims (a citation): its (content type, object id) fields.
    # Its scopes, in the cache and in the feed, are those of its claim.
    cites: tuple[str, str] | None = None
    tables: tuple[Table, ...]  # its table in the data package, and its many-to-many's
    compare: Compare | None = None
    # Which of its rows are private, seen by editors only (`core.visibility`): a Q over its
    # rows now (given None) or over its records as they stood at a version (given the
    # version: `core.history.State`); over the rows of its many-to-many tables now, by field
    # name; and over its history records in the changes feed, given the version to judge
    # each at (an expression valid inside a subquery of the records' query:
    # OuterRef("history_version") for its own records).
    private: Callable[[int | None], Q] | None = None
    m2m_private: Mapping[str, Callable[[], Q]] = field(default_factory=dict)
    private_history: Callable[[Any], Q] | None = None

    def tracked(self) -> Tracked:
        return Tracked(
            self.name,
            self.model,
            self.label,
            key=self.key,
            api=self.api,
            url=self.url,
            related=self.related,
            text=self.text,
            scopes=dict(self.change_scopes),
            excluded=self.excluded,
            claim_fields=self.cites,
        )

    def claim_type(self) -> ClaimType | None:
        if self.claim is None:
            return None
        return ClaimType(
            self.name,
            self.model,
            self.claim.kind,
            self.claim.label or self.label,
            url=self.url,
            related=self.related,
            deferred=self.claim.deferred,
            owners=self.claim.owners,
            search=self.claim.search,
        )

    def scope_rules(self) -> dict[type[models.Model], tuple[ScopeRule, ...]]:
        """The scope rules of its table and of its many-to-many tables, by model."""
        rules = {self.model: self.scopes} if self.scopes else {}
        for name, m2m in self.m2m_scopes.items():
            many = self.model._meta.get_field(name)
            rules[many.remote_field.through] = m2m  # type: ignore[union-attr]
        return rules


_declarations: dict[type[models.Model], Content] = {}
_names: dict[str, Content] = {}
_claims: dict[str, ClaimType] = {}
_tracked: dict[str, Tracked] = {}


def register(*declarations: Content) -> None:
    """Declare content models (from their app's `ready()`)."""
    for content in declarations:
        if content.model in _declarations and _declarations[content.model] != content:
            raise ValueError(f"{content.model._meta.label} is declared twice")
        if content.name in _names and _names[content.name].model is not content.model:
            raise ValueError(f"Two content models are called {content.name!r}")
        _declarations[content.model] = content
        _private_now.clear()
        _names[content.name] = content
        _tracked[content.name] = content.tracked()
        claim = content.claim_type()
        if claim is not None:
            _claims[content.name] = claim


def unregister(model: type[models.Model]) -> None:
    """Forget a model's declaration (for tests that declare a model of their own)."""
    content = _declarations.pop(model)
    _names.pop(content.name, None)
    _tracked.pop(content.name, None)
    _claims.pop(content.name, None)
    _private_now.clear()


def _ready(what: str) -> None:
    if not apps.ready:
        raise AppRegistryNotReady(f"{what} are known once every app is ready.")


def declarations() -> tuple[Content, ...]:
    """Every declaration, in the order the apps made them."""
    _ready("Content models")
    return tuple(_declarations.values())


def declaration(model: type[models.Model]) -> Content | None:
    return _declarations.get(model)


def content_models() -> tuple[type[models.Model], ...]:
    return tuple(_declarations)


def content_tables(of: Iterable[type[models.Model]] | None = None) -> tuple[str, ...]:
    """The tables of the content models (or of the models `of`), with the join tables of
    their many-to-many fields."""
    tables: dict[str, None] = {}
    for model in _declarations if of is None else of:
        tables[model._meta.db_table] = None
        for many in model._meta.local_many_to_many:
            through = many.remote_field.through
            if through is not None and through._meta.auto_created:
                tables[through._meta.db_table] = None
    return tuple(tables)


def scope_rules() -> dict[str, tuple[ScopeRule, ...]]:
    """Every table's scope rules, by table name. A table whose rows point at claims moves
    their claims' owners too."""
    _ready("Scope rules")
    rules = {
        model._meta.db_table: model_rules
        for content in _declarations.values()
        for model, model_rules in content.scope_rules().items()
    }
    for content in _declarations.values():
        if content.cites is None:
            continue
        object_id = content.cites[1]
        owners = tuple(
            ScopeRule(
                kind,
                column,
                via=None if column is None else (claim.model._meta.db_table, object_id),
                claim=claim.key,
            )
            for claim in claim_types().values()
            for kind, column in claim.owners
        )
        table = content.model._meta.db_table
        rules[table] = rules.get(table, ()) + owners
    return rules


def claim_types() -> dict[str, ClaimType]:
    """Every claim type by its name, in name order. Asked before every app's `ready()` has
    run, the answer would be incomplete: that is an error, not an empty list."""
    _ready("Claim types")
    return dict(sorted(_claims.items()))


def claim_type(app_label: str, model_name: str) -> ClaimType | None:
    """The claim type of the model a content type names, if it is one."""
    for claim in _claims.values():
        if claim.key == (app_label, model_name):
            return claim
    return None


def tracked_types() -> dict[str, Tracked]:
    """Every tracked type by its name, in the order the apps declared them."""
    _ready("Tracked types")
    return dict(_tracked)


def history_models() -> tuple[type[models.Model], ...]:
    """The history models (django-simple-history) of the content models."""
    return tuple(model.history.model for model in _declarations if hasattr(model, "history"))


# --- full-text search ---------------------------------------------------------------------
# The search app (above the others) finds objects by keyword; a lower app's keyword filter
# (the matrix's `q`) asks it through here. A matcher takes the user's text and gives a
# subquery of matching ids, or None when the text holds nothing to search for.

_matchers: dict[str, Callable[..., Any]] = {}


def register_matcher(kind: str, matcher: Callable[..., Any]) -> None:
    _matchers[kind] = matcher


def matching_ids(kind: str, text: str, *, within: models.QuerySet | None = None) -> Any:
    """A subquery of the ids of the `kind` objects `text` finds; None when it finds nothing.
    `within`, the few objects a page already narrowed to (those of one framework): the
    search may start from them rather than from every match."""
    try:
        matcher = _matchers[kind]
    except KeyError:
        raise LookupError(f"No full-text search is registered for {kind!r}") from None
    return matcher(text, within=within)


# --- pages that take ?release= -----------------------------------------------------------

_release_views: set[str] = set()


def register_release_views(*viewnames: str) -> None:
    """Declare URL names whose pages, exports or API reads take `?release=<tag>`: the links
    to them that a page at a release makes keep the release."""
    _release_views.update(viewnames)


def release_views() -> set[str]:
    return _release_views


# --- what editors may do besides curating content ----------------------------------------

_editor_permissions: dict[str, list[str]] = {}


def register_editor_permissions(app_label: str, *codenames: str) -> None:
    """Declare permissions of an app's own models that the "editors" group holds (an app
    above the content apps: settling readers' flags), from the app's `ready()`."""
    names = _editor_permissions.setdefault(app_label, [])
    names.extend(name for name in codenames if name not in names)


def editor_permissions() -> dict[str, list[str]]:
    """The permissions apps declared for editors, by app label."""
    _ready("Editor permissions")
    return {label: list(names) for label, names in _editor_permissions.items()}


# --- what backups hold besides the knowledge base and the accounts ----------------------

_backup_labels: list[str] = []


def register_backup_labels(*labels: str) -> None:
    """Declare models ("app_label.model") that backups keep although they are not content
    (readers' flags), from the app's `ready()`; restored after the accounts they name."""
    _backup_labels.extend(label for label in labels if label not in _backup_labels)


def backup_extra_labels() -> tuple[str, ...]:
    _ready("Backup labels")
    return tuple(_backup_labels)


# --- what editors may do with a table of a document --------------------------------------


@dataclass(frozen=True)
class TableAction:
    """A page an editor may open for a table of a document (the reader links it beside
    each table): its link's text, its URL name, and the permission it needs. The page
    takes `?document=<slug>&table=<anchor of a row>`."""

    label: str
    viewname: str
    permission: str


_table_actions: dict[str, TableAction] = {}


def register_table_action(action: TableAction) -> None:
    _table_actions[action.viewname] = action


def table_actions() -> tuple[TableAction, ...]:
    return tuple(_table_actions.values())


# --- what is private (`core.visibility`) ---------------------------------------------------


def _citing_rule(content: Content, claim_rows) -> Q | None:
    """The rows of a citing model (`content.cites`) whose claim is private: `claim_rows`
    maps a claim's declaration to a subquery of its private ids, or None."""
    from django.contrib.contenttypes.models import ContentType

    assert content.cites is not None
    content_type_field, object_field = content.cites
    rule: Q | None = None
    for claim in _declarations.values():
        if claim.claim is None:
            continue
        ids = claim_rows(claim)
        if ids is None:
            continue
        # The content type as a subquery: building the rule reads nothing (a schema built
        # without a database builds querysets too).
        content_type = ContentType.objects.filter(
            app_label=claim.model._meta.app_label, model=claim.model._meta.model_name
        ).values("pk")
        part = Q(**{f"{content_type_field}__in": content_type, f"{object_field}__in": ids})
        rule = part if rule is None else rule | part
    return rule


# The rules now (version None) are the same on every request, and building one (its
# subqueries) costs a page more than running it: each is built once, after the declarations.
_private_now: dict[type[models.Model], Q | None] = {}


def private_rule(model: type[models.Model], version: int | None = None) -> Q | None:
    """`_private_rule()`, the rules now kept once built (a Q is never changed by the
    queries it filters: they copy it)."""
    if version is not None:
        return _private_rule(model, version)
    try:
        return _private_now[model]
    except KeyError:
        rule = _private_now[model] = _compiled(_private_rule(model))
        return rule


def _compiled(rule: Q | None) -> Q | None:
    """`rule` with each subquery it holds (the value of an `__in` lookup) compiled to SQL
    once: a rule of subqueries (the activities only drafts hold, the citations of private
    claims) was otherwise built again, its subqueries copied and relabelled, by every query
    it filtered, which cost a reader page more than a third of its time. The rule itself
    stays a condition on each row it filters, so the database still tests only those rows.
    Compiling reads nothing from the database."""
    if rule is None:
        return None
    from django.db.models.expressions import RawSQL

    compiled = Q()
    compiled.connector, compiled.negated = rule.connector, rule.negated
    for child in rule.children:
        if isinstance(child, Q):
            compiled.children.append(cast(Q, _compiled(child)))
        elif isinstance(child, tuple) and isinstance(child[1], models.QuerySet):
            sql, params = child[1].order_by().query.sql_with_params()
            compiled.children.append((child[0], RawSQL(sql, params)))
        else:
            compiled.children.append(child)
    return compiled


def _private_rule(model: type[models.Model], version: int | None = None) -> Q | None:
    """The rows of `model` that are private now (a content model, or the many-to-many table
    of one), or its records that were at `version`; None when none can be. A citing model's
    rows are private when their claim is."""
    from core.history import records_at

    content = _declarations.get(model)
    if content is None:
        for owner in _declarations.values():
            for name, rule in owner.m2m_private.items():
                if owner.model._meta.get_field(name).remote_field.through is model:  # type: ignore[union-attr]
                    return rule()
        return None
    if content.private is not None:
        return content.private(version)
    if content.cites is None:
        return None

    def claim_rows(claim: Content):
        if claim.private is None:
            return None
        rule = claim.private(version)
        if version is None:
            return claim.model._base_manager.filter(rule).values("pk")
        return records_at(claim.model, version).filter(rule).values("id")

    return _citing_rule(content, claim_rows)


def private_history_rule(model: type[models.Model]) -> Q | None:
    """The history records of `model` that the public never sees: those written while what
    they belong to was private (a draft's cells, before and while it is a draft), and those
    of objects private now. None when none can be."""
    content = _declarations.get(model)
    if content is None:
        return None
    if content.private_history is not None:
        return content.private_history(OuterRef("history_version"))
    if content.cites is None:
        return None

    def claim_rows(claim: Content):
        if claim.private_history is None:
            return None
        # Judged at the citing record's version, two subqueries down.
        rule = claim.private_history(OuterRef(OuterRef("history_version")))
        return claim.model.history.model._default_manager.filter(rule).values("id")  # type: ignore[attr-defined]

    return _citing_rule(content, claim_rows)
