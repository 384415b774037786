"""Every content model is declared once (`core.registry.Content`), and `manage.py check`
fails, naming the model, when a model with history is left undeclared (`core.checks`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps
from simple_history import models as simple_history
from simple_history.models import HistoricalRecords

from atlas import datapackage
from core import registry
from core.checks import content_declared
from core.history import VersionedHistory


@pytest.fixture
def isolated() -> Iterator:
    """An app registry of its own, for models the project does not have."""
    with isolate_apps("core") as isolated_apps:
        yield isolated_apps
    for table in ("core_undeclaredwidget", "core_plainwidget"):
        simple_history.registered_models.pop(table, None)


def test_every_model_of_the_project_is_declared_and_passes_the_check():
    assert content_declared(app_configs=None) == []
    with_history = {
        m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")
    }
    assert with_history == set(registry.content_models())


def test_a_model_with_history_left_undeclared_fails_the_check(isolated):
    class UndeclaredWidget(models.Model):
        name = models.CharField(max_length=20)
        history = HistoricalRecords(bases=[VersionedHistory])

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.name

    errors = content_declared(app_configs=[isolated.get_app_config("core")])

    assert [(error.id, error.obj) for error in errors] == [("core.E001", UndeclaredWidget)]
    assert "core.UndeclaredWidget keeps a history but is not declared" in errors[0].msg
    assert "core.registry.Content" in errors[0].hint


def test_a_declared_model_without_history_fails_the_check(isolated):
    class PlainWidget(models.Model):
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.name

    registry.register(
        registry.Content(model=PlainWidget, name="plain-widget", label=str, tables=())
    )
    try:
        errors = content_declared(app_configs=[isolated.get_app_config("core")])
    finally:
        registry.unregister(PlainWidget)

    assert [(error.id, error.obj) for error in errors] == [("core.E002", PlainWidget)]
    assert "plain-widget" not in registry.tracked_types()


def test_each_mechanism_is_derived_from_the_declarations():
    declared = {content.name: content for content in registry.declarations()}
    assert set(registry.tracked_types()) == set(declared)
    assert set(registry.claim_types()) == {n for n, c in declared.items() if c.claim is not None}
    cell = registry.claim_types()["cell"]
    assert (cell.kind, cell.owners) == ("Cell", (("framework", "framework_id"),))
    # A citation moves the owners of the claim it supports.
    citation_rules = registry.scope_rules()["sources_citation"]
    assert (
        registry.ScopeRule(
            "framework",
            "framework_id",
            via=("engagement_cell", "object_id"),
            claim=("engagement", "cell"),
        )
        in citation_rules
    )
    # The framework's institutions are a table of their own, with their own rules.
    assert "engagement_framework_institutions" in registry.scope_rules()
    # Every declared table is in the data package, the citations last.
    names = [table.name for table in datapackage.tables()]
    assert names[-1] == "citations"
    assert {t.name for c in declared.values() for t in c.tables} == set(names)


def test_a_model_or_a_name_declared_twice_is_refused():
    level = registry.declaration(apps.get_model("engagement", "EngagementLevel"))
    assert level is not None
    with pytest.raises(ValueError, match=r"engagement\.EngagementLevel is declared twice"):
        registry.register(registry.Content(model=level.model, name="level", label=str, tables=()))
    members = apps.get_model("engagement", "Framework").institutions.through
    with pytest.raises(ValueError, match="Two content models are called 'cell'"):
        registry.register(registry.Content(model=members, name="cell", label=str, tables=()))
    assert registry.declaration(members) is None
    assert registry.declaration(level.model) is level


def test_every_claim_type_names_the_fields_the_claim_picker_searches():
    # Citing from the reader finds a claim by these fields (`sources.citing.claim_search`):
    # a claim type without them could never be cited there.
    missing = [name for name, claim in registry.claim_types().items() if not claim.search]
    assert not missing, f"claim types without `search`: {missing}"


def test_a_citation_is_private_only_through_its_claim():
    """The citations of a claim read through its visible manager are read without the
    rule (`sources.models.claim_citations_prefetch`): that holds while a citation has no
    privacy of its own, only its claim's."""
    from sources.models import Citation

    citation = registry.declaration(Citation)
    assert citation is not None
    assert citation.private is None
    assert citation.cites == ("content_type", "object_id")


def test_the_rules_now_are_built_once_and_forgotten_with_a_declaration():
    """The rule of what is private now is built once per model (`private_rule`), and built
    again once the declarations change."""
    from engagement.models import Cell

    first = registry.private_rule(Cell)
    assert first is not None
    assert registry.private_rule(Cell) is first
    level = registry.declaration(apps.get_model("engagement", "EngagementLevel"))
    assert level is not None
    registry.unregister(level.model)
    try:
        assert registry.private_rule(Cell) is not first
    finally:
        registry.register(level)
