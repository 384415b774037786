"""Drafts in the admin: an editor makes a draft on the add page and publishes it with the
frameworks' action; the status is read-only once the framework exists."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from engagement.models import Framework, FrameworkStatus
from institutions.models import Institution
from tests.helpers import form_data
from tests.seedtext import BRIEF

PASSWORD = "a-long-editor-passphrase"


@pytest.fixture
def editor(kb, monkeypatch) -> User:
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", "grace", email="grace@example.org", stdout=io.StringIO())
    return User.objects.get(username="grace")


def test_an_editor_drafts_then_publishes_in_the_admin(client, editor):
    client.force_login(editor)
    add_url = reverse("admin:engagement_framework_add")
    data = form_data(client.get(add_url))
    assert data["status"] == FrameworkStatus.PUBLISHED
    document = Framework.objects.get(slug="eu-ai-office-uk-aisi").document
    assert document.slug == BRIEF
    data.update(
        name="A drafted matrix",
        slug="a-drafted-matrix",
        document=str(document.pk),
        status=FrameworkStatus.DRAFT,
        institutions=[str(Institution.objects.get(slug="uk-aisi").pk)],
    )
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    framework = Framework.objects.get(slug="a-drafted-matrix")
    assert framework.status == FrameworkStatus.DRAFT
    change = client.get(reverse("admin:engagement_framework_change", args=[framework.pk]))
    assert 'name="status"' not in change.content.decode()  # read-only once it exists
    anonymous = client.__class__()
    assert anonymous.get(framework.get_absolute_url()).status_code == 404
    assert "banner-draft" in client.get(framework.get_absolute_url()).content.decode()

    changelist = reverse("admin:engagement_framework_changelist")
    response = client.post(
        changelist, {"action": "publish", "_selected_action": [framework.pk]}, follow=True
    )
    assert "A drafted matrix: published." in response.content.decode()
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.PUBLISHED
    assert framework.history.latest().history_user == editor
    assert anonymous.get(framework.get_absolute_url()).status_code == 200
    again = client.post(
        changelist, {"action": "publish", "_selected_action": [framework.pk]}, follow=True
    )
    assert "The framework “a-drafted-matrix” is published already." in again.content.decode()
