"""The admin loses no editor's change, stores no control character, makes no cycle."""

from __future__ import annotations

import io
import json

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from core.admin import OPENED_ON, AtlasAdmin, validate_stored_text
from engagement.models import Cell
from institutions.models import Institution
from tests.helpers import brief_cell, form_data
from tests.unit.test_text_and_params import FORBIDDEN_CONTROLS

PASSWORD = "a-long-editor-passphrase"

pytestmark = pytest.mark.usefixtures("kb")


def editor(name: str, monkeypatch) -> User:
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", name, email=f"{name}@example.org", stdout=io.StringIO())
    return User.objects.get(username=name)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cell() -> Cell:
    return brief_cell("incident-reporting", "communication")


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def test_two_editors_one_stale_the_second_save_is_refused_naming_who_and_when(monkeypatch, cell):
    ada, bob = signed_in(editor("ada", monkeypatch)), signed_in(editor("bob", monkeypatch))
    original = cell.text
    ada_form = form_data(ada.get(change_url(cell)))
    bob_form = form_data(bob.get(change_url(cell)))  # both opened the same state
    assert ada_form[OPENED_ON] == bob_form[OPENED_ON] != ""

    ada_form["text"] = original + " (Ada)"
    assert ada.post(change_url(cell), ada_form).status_code == 302
    bob_form["text"] = original + " (Bob)"
    response = bob.post(change_url(cell), bob_form)
    assert response.status_code == 200
    page = response.content.decode()
    changed = Cell.history.filter(id=cell.pk).latest("history_date").history_date
    assert (
        f"ada changed this cell at {changed:%Y-%m-%d %H:%M:%S} UTC, after you opened this "
        "page. Nothing was saved: open the page again to see their change, then make yours."
    ) in page
    cell.refresh_from_db()
    assert cell.text == original + " (Ada)"

    # Opened again, Bob's change goes through.
    again = form_data(bob.get(change_url(cell)))
    again["text"] = original + " (Bob)"
    assert bob.post(change_url(cell), again).status_code == 302
    cell.refresh_from_db()
    assert cell.text == original + " (Bob)"


def test_a_change_to_a_citation_edited_on_the_same_page_makes_the_form_stale(
    monkeypatch, cell, client
):
    bob = signed_in(editor("bob", monkeypatch))
    stale = form_data(bob.get(change_url(cell)))
    citation = cell.citations.first()
    citation.role = "emphasis" if citation.role != "emphasis" else "source"
    citation._history_user = editor("ada", monkeypatch)
    citation.save()
    response = bob.post(change_url(cell), stale)
    assert response.status_code == 200
    assert "ada changed this cell at" in response.content.decode()


def test_a_change_without_a_recorded_user_is_named_as_such(monkeypatch, cell):
    bob = signed_in(editor("bob", monkeypatch))
    stale = form_data(bob.get(change_url(cell)))
    cell.text += " (by a script)"
    cell.save()
    response = bob.post(change_url(cell), stale)
    assert "someone (no user was recorded) changed this cell at" in response.content.decode()


def test_a_control_character_typed_in_the_admin_is_refused_naming_the_field(monkeypatch, cell):
    ada = signed_in(editor("ada", monkeypatch))
    data = form_data(ada.get(change_url(cell)))
    before = cell.text
    data["text"] = "Page one\x0cpage two"
    response = ada.post(change_url(cell), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"] == [
        "Holds U+000C (form feed) at character 9; text holds no control character other than "
        "tab and line feed, and no lone surrogate or U+FFFE/U+FFFF."
    ]
    cell.refresh_from_db()
    assert cell.text == before


def test_a_textarea_line_break_is_stored_as_a_newline(monkeypatch):
    ada = signed_in(editor("ada", monkeypatch))
    institution = Institution.objects.get(slug="uk-aisi")
    data = form_data(ada.get(change_url(institution)))
    data["name"] = "AI Security\r\nInstitute"
    response = ada.post(change_url(institution), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    institution.refresh_from_db()
    assert institution.name == "AI Security\nInstitute"


def test_an_institution_cannot_become_its_own_ancestor_in_the_admin(monkeypatch):
    ada = signed_in(editor("ada", monkeypatch))
    child = Institution.objects.exclude(parent=None).select_related("parent").first()
    parent = child.parent
    data = form_data(ada.get(change_url(parent)))
    data["parent"] = str(child.pk)
    response = ada.post(change_url(parent), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "An institution cannot be its own parent, or its parent's ancestor."
    ]
    parent.refresh_from_db()
    assert parent.parent_id != child.pk


def _text_fields(form_class) -> list[str]:
    return [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField) and name != OPENED_ON
    ]


def _bound_data(form) -> dict:
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    return data


@pytest.mark.slow  # every form, every field, every one of 63 characters
def test_every_text_field_of_every_admin_form_refuses_every_control_character(
    django_user_model,
):
    superuser = django_user_model.objects.create_superuser("root", password=PASSWORD)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    checked: set[tuple[str, str]] = set()
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, AtlasAdmin):
            continue
        obj = model._default_manager.order_by("pk").first()
        form_class = model_admin.get_form(request, obj, change=True)
        names = _text_fields(form_class)
        data = _bound_data(form_class(instance=obj))
        # A carriage return is a browser's line break there: stored as "\n" (tested above).
        for char in [c for c in FORBIDDEN_CONTROLS if c != "\r" and names]:
            hostile = {
                name: json.dumps([f"a{char}b"])
                if isinstance(form_class.base_fields[name], forms.JSONField)
                else f"a{char}b"
                for name in names
            }
            form = form_class({**data, **hostile}, instance=obj)
            assert not form.is_valid()
            for name in names:
                assert any(f"U+{ord(char):04X}" in error for error in form.errors.get(name, [])), (
                    model.__name__,
                    name,
                    form.errors.get(name),
                )
            checked |= {(model.__name__, name) for name in names}
        # The rows edited on the same page (citations, names, mandates, cells) too.
        for inline in model_admin.get_inline_instances(request, obj):
            inline_form = inline.get_formset(request, obj).form
            for name in _text_fields(inline_form):
                assert validate_stored_text in inline_form.base_fields[name].validators, (
                    type(inline).__name__,
                    name,
                )
    assert {
        ("Cell", "text"),
        ("Citation", "exact"),
        ("EngagementLevel", "definition"),
        ("EngagementLevel", "conditions"),
        ("Institution", "name"),
        ("InstitutionAlias", "note"),
        ("Mandate", "statement"),
        ("Relationship", "description"),
        ("Document", "title"),
        ("Document", "authors"),
        ("Framework", "description"),
    } <= checked
