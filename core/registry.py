"""What the apps tell the core about themselves, filled from their `AppConfig.ready()`.

A package low in the layers (core, sources) must not import the apps above it, yet some of
its work needs to know them: which tables hold content (the dataset version's triggers,
backups, the editors' permissions) and which objects are claims that cite passages (the
reader's "cited by", the citations API). Each app declares its own models here once, as
Django's admin and contenttypes learn about models; nothing below imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady
from django.db import models


@dataclass(frozen=True)
class ScopeRule:
    """A scope that a write to a row of some table moves (`core.scopes`): `kind` alone (a
    collection, such as "frameworks") when `column` is None, else `kind:<id>` with the id
    read from `column` of the row, or, with `via` = (table, column of the row holding its
    id), from `column` of that other table's row. `claim` = (app label, model) keeps only
    the rows whose content type is that model (a generic foreign key's rows)."""

    kind: str
    column: str | None = None
    via: tuple[str, str] | None = None
    claim: tuple[str, str] | None = None


@dataclass(frozen=True)
class ClaimType:
    """A kind of claim: a content model whose facts cite passages of the sources."""

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


_content: dict[type[models.Model], None] = {}
_claims: dict[str, ClaimType] = {}
_scopes: dict[type[models.Model], tuple[ScopeRule, ...]] = {}
_claim_scopes: list[type[models.Model]] = []


def register_content(*content: type[models.Model]) -> None:
    """Declare models whose rows are the knowledge base: every write to them moves the
    dataset version, editors curate them, backups keep them."""
    for model in content:
        _content.setdefault(model, None)


def register_claim(claim: ClaimType) -> None:
    if claim.name in _claims and _claims[claim.name] != claim:
        raise ValueError(f"Two claim types are called {claim.name!r}")
    _claims[claim.name] = claim


def content_models() -> tuple[type[models.Model], ...]:
    return tuple(_content)


def content_tables() -> tuple[str, ...]:
    """The tables of the content models, with the join tables of their many-to-many fields."""
    tables: dict[str, None] = {}
    for model in _content:
        tables[model._meta.db_table] = None
        for many in model._meta.local_many_to_many:
            through = many.remote_field.through
            if through is not None and through._meta.auto_created:
                tables[through._meta.db_table] = None
    return tuple(tables)


def register_scopes(model: type[models.Model], *rules: ScopeRule, claims: bool = False) -> None:
    """Declare the scopes a write to `model`'s rows moves; `claims=True` for a model whose
    rows point at claims (content_type, object_id): they move their claim's owners too."""
    _scopes[model] = tuple(rules)
    if claims and model not in _claim_scopes:
        _claim_scopes.append(model)


def scope_rules() -> dict[str, tuple[ScopeRule, ...]]:
    """Every table's scope rules, by table name; a many-to-many table is named by its model's
    field (`register_scopes` takes the auto-created through model)."""
    if not apps.ready:
        raise AppRegistryNotReady("Scope rules are known once every app is ready.")
    rules = {model._meta.db_table: rules for model, rules in _scopes.items()}
    for model in _claim_scopes:
        owners = tuple(
            ScopeRule(
                kind,
                column,
                via=None if column is None else (claim.model._meta.db_table, "object_id"),
                claim=claim.key,
            )
            for claim in claim_types().values()
            for kind, column in claim.owners
        )
        rules[model._meta.db_table] = rules.get(model._meta.db_table, ()) + owners
    return rules


def claim_types() -> dict[str, ClaimType]:
    """Every claim type by its name, in name order. Asked before every app's `ready()` has
    run, the answer would be incomplete: that is an error, not an empty list."""
    if not apps.ready:
        raise AppRegistryNotReady("Claim types are known once every app is ready.")
    return dict(sorted(_claims.items()))


def claim_type(app_label: str, model_name: str) -> ClaimType | None:
    """The claim type of the model a content type names, if it is one."""
    for claim in _claims.values():
        if claim.key == (app_label, model_name):
            return claim
    return None


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


def history_models() -> tuple[type[models.Model], ...]:
    """The history models (django-simple-history) of the content models."""
    return tuple(getattr(model, "history").model for model in _content if hasattr(model, "history"))  # noqa: B009


# --- the knowledge base over time -----------------------------------------------------------
# The changes feed, the state at a release and the comparison of releases read the history
# of every content model. Each app says here, once per model, how its objects are named and
# linked, and which frameworks, documents, institutions, activities and levels they concern
# (the feed's filters): `core.changes` reads them, and knows no app.

Scope = Callable[[Any], Any]  # a subquery of ids of the scope's objects -> Q over the history


@dataclass(frozen=True)
class Tracked:
    """A content model whose changes the feed lists and releases compare."""

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


_tracked: dict[str, Tracked] = {}
_release_views: set[str] = set()


def register_tracked(*tracked: Tracked) -> None:
    for item in tracked:
        if item.name in _tracked and _tracked[item.name] != item:
            raise ValueError(f"Two tracked types are called {item.name!r}")
        _tracked[item.name] = item


def tracked_types() -> dict[str, Tracked]:
    """Every tracked type by its name, in the order the apps registered them."""
    if not apps.ready:
        raise AppRegistryNotReady("Tracked types are known once every app is ready.")
    return dict(_tracked)


def register_release_views(*viewnames: str) -> None:
    """Declare URL names whose pages, exports or API reads take `?release=<tag>`: the links
    to them that a page at a release makes keep the release."""
    _release_views.update(viewnames)


def release_views() -> set[str]:
    return _release_views
