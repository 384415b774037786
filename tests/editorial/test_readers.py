"""Reader accounts: `manage.py create_reader` and the `readers` group, which may flag claims
and see its own flags, and nothing else; editors settle flags."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import ACCOUNT_PASSWORD


def codenames(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_readers_group_holds_only_the_flag_permissions(kb):
    # As the migration made it (review 0002), before any command ran.
    assert codenames(Group.objects.get(name="readers")) == {"review.add_flag", "review.view_flag"}


def test_create_reader_makes_an_account_that_flags_and_edits_nothing(reader):
    assert not reader.is_staff and not reader.is_superuser
    assert reader.check_password(ACCOUNT_PASSWORD)
    assert reader.get_full_name() == "Alice Reader"
    assert list(reader.groups.values_list("name", flat=True)) == ["readers"]
    assert reader.has_perm("review.add_flag") and reader.has_perm("review.view_flag")
    assert not reader.has_perm("review.change_flag")
    assert not reader.has_perm("engagement.change_cell")
    assert not reader.has_perm("sources.add_citation")


def test_editors_settle_flags(flag_editor):
    assert flag_editor.has_perm("review.change_flag")
    assert flag_editor.has_perm("review.add_flag")
    assert not flag_editor.has_perm("review.delete_flag")


def test_create_reader_reads_the_password_as_create_editor_does(kb, monkeypatch):
    monkeypatch.delenv("ATLAS_EDITOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Set ATLAS_EDITOR_PASSWORD"):
        call_command("create_reader", "eve", stdout=io.StringIO())
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_reader", "eve", stdout=io.StringIO())
    assert not User.objects.filter(username="eve").exists()
    monkeypatch.setenv("ATLAS_EDITOR_PASSWORD", ACCOUNT_PASSWORD)
    out = io.StringIO()
    call_command("create_reader", "eve", email="eve@example.org", stdout=out)
    assert out.getvalue() == "Reader 'eve' created (group 'readers').\n"
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_reader", "eve", stdout=io.StringIO())


def test_a_reader_signs_in_on_the_sites_page_and_lands_where_they_were_going(client, reader):
    """Editors' and readers' pages send a signed-out visitor to /sign-in/ (not the admin's
    page, which readers may not use); signing in returns there, or to the home page."""
    sent = client.get("/flags/mine/")
    assert sent.status_code == 302 and sent["Location"] == "/sign-in/?next=/flags/mine/"
    credentials = {"username": "alice", "password": ACCOUNT_PASSWORD}
    back = client.post(sent["Location"], credentials)
    assert back.status_code == 302 and back["Location"] == "/flags/mine/"
    client.logout()
    home = client.post("/sign-in/", credentials)
    assert home.status_code == 302 and home["Location"] == "/"
