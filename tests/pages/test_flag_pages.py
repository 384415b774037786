"""The flag pages without a browser: the "Flag this" form on a cell's page (a sign-in link
for anonymous readers), sending a flag, a reader's own flags with the editors' word, the
editors' queue (filters, pages, bounded queries) and its accept and decline forms."""

from __future__ import annotations

import pytest
from django.test import Client

from engagement.models import Cell
from review.models import Flag, FlagStatus
from tests.conftest import ACCOUNT_PASSWORD
from tests.helpers import get_page, refused_page

CELL_PATH = "/frameworks/eu-ai-office-us-aisi/cells/develop-evaluations/collaboration/"
QUEUE = "/editors/flags/"
MINE = "/flags/mine/"


@pytest.fixture
def cell(kb) -> Cell:
    return Cell.objects.get(
        framework__slug="eu-ai-office-us-aisi",
        activity__slug="develop-evaluations",
        level__slug="collaboration",
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send_flag(client, cell, **fields):
    data = {
        "target": f"/api/v1/cells/{cell.pk}/" if cell else "",
        "reason": "outdated",
        "note": "The TTC met again since.",
        **fields,
    }
    return client.post("/flags/new/", data)


def test_anonymous_readers_see_a_sign_in_link_and_no_form(client, cell):
    html = get_page(client, CELL_PATH)
    assert f'<a href="/sign-in/?next={CELL_PATH}">Sign in</a> to flag it' in html
    assert 'name="note"' not in html and "/flags/new/" not in html
    assert client.post("/flags/new/", {}).status_code == 302  # to sign in
    assert not Flag.objects.exists()


def test_a_reader_signs_in_flags_a_cell_and_reads_the_outcome(reader, flag_editor, cell):
    client = Client(enforce_csrf_checks=False)
    signed = client.post("/sign-in/", {"username": "alice", "password": ACCOUNT_PASSWORD})
    assert signed.status_code == 302
    html = get_page(client, CELL_PATH)
    assert '<form method="post" action="/flags/new/"' in html
    assert f'name="target" value="/api/v1/cells/{cell.pk}/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    sent = send_flag(client, cell, proposed_text="Tools and benchmarks.")
    assert (sent.status_code, sent["Location"]) == (302, MINE)
    flag = Flag.objects.get()
    assert (flag.reader, flag.reason, flag.proposed_text) == (
        reader,
        "outdated",
        "Tools and benchmarks.",
    )
    mine = get_page(client, MINE)
    assert f"Thank you: flag {flag.pk} is with the editors." in mine and "Open" in mine

    editor = signed_in(flag_editor)
    declined = editor.post(f"{QUEUE}{flag.pk}/decline/", {"reason": "Not yet <b>out</b>."})
    assert (declined.status_code, declined["Location"]) == (302, QUEUE)
    mine = get_page(client, MINE)
    assert "Declined" in mine and "Not yet &lt;b&gt;out&lt;/b&gt;." in mine


def test_a_flag_with_problems_is_shown_again_with_each_named(reader, cell):
    client = signed_in(reader)
    too_long = send_flag(client, cell, note="x" * 2001)
    assert too_long.status_code == 400
    html = too_long.content.decode()
    assert "The flag was not sent" in html and 'id="error-note"' in html
    assert "at most 2000 characters" in html
    nul = send_flag(client, cell, note="a\x00b")
    html = nul.content.decode()
    assert nul.status_code == 400 and "Null characters are not allowed." in html
    assert "\x00" not in html and ">ab</textarea>" in html
    bad_target = send_flag(client, cell, target="/api/v1/documents/")
    assert bad_target.status_code == 400 and "The flagged claim" in bad_target.content.decode()
    assert not Flag.objects.exists()


def test_the_queue_is_for_editors(reader, cell):
    assert Client().get(QUEUE)["Location"].startswith("/sign-in/?next=")
    assert signed_in(reader).get(QUEUE).status_code == 403
    flag = Flag.objects.create(
        content_type_id=1, object_id=cell.pk, reader=reader, reason="wrong", note="n"
    )
    assert signed_in(reader).post(f"{QUEUE}{flag.pk}/accept/").status_code == 403


def test_the_queue_filters_pages_and_settles(
    reader, flag_editor, cell, django_assert_max_num_queries
):
    client = signed_in(reader)
    other = Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi").first()
    send_flag(client, cell, reason="wrong", proposed_text="Evaluation tools.")
    for _ in range(3):
        send_flag(client, other)
    editor = signed_in(flag_editor)
    html = get_page(editor, QUEUE)
    assert "4 open flags." in html
    assert html.count('/accept/">') == html.count('/decline/">') == 4  # a form of each a flag
    assert "1 open flag." in get_page(editor, f"{QUEUE}?framework=eu-ai-office-us-aisi")
    assert "1 open flag." in get_page(editor, f"{QUEUE}?reason=wrong")
    refused_page(editor, f"{QUEUE}?reason=boring", "reason")
    refused_page(editor, f"{QUEUE}?framework=nope", "framework")
    refused_page(editor, f"{QUEUE}?page=2", "page")
    refused_page(editor, f"{QUEUE}?colour=red", "colour")

    # session, user, permissions (2), count, page, one per claim type on the page (cells)
    with django_assert_max_num_queries(7):
        get_page(editor, QUEUE)
    for _ in range(10):
        send_flag(client, other)
    with django_assert_max_num_queries(7):
        assert "14 open flags" in get_page(editor, QUEUE)

    wrong = Flag.objects.get(reason="wrong")
    accepted = editor.post(f"{QUEUE}{wrong.pk}/accept/", {"reason": ""})
    assert accepted.status_code == 302
    cell.refresh_from_db()
    assert cell.text == "Evaluation tools."
    assert Flag.objects.get(pk=wrong.pk).status == FlagStatus.ACCEPTED
    page = get_page(editor, QUEUE)
    assert f"Flag {wrong.pk} accepted." in page and "13 open flags" in page
    again = editor.post(f"{QUEUE}{wrong.pk}/decline/", {"reason": "Too late."}, follow=True)
    assert f"Flag {wrong.pk} was not settled: Flag {wrong.pk} is accepted already" in (
        again.content.decode()
    )
    still_open = Flag.objects.open().first()
    no_reason = editor.post(f"{QUEUE}{still_open.pk}/decline/", {"reason": ""}, follow=True)
    assert "Say why the flag is declined" in no_reason.content.decode()


def test_my_flags_are_paged_and_mine_only(reader, cell, monkeypatch):
    from tests.conftest import account_create

    other = account_create("create_reader", "carol", "Carol", monkeypatch)
    send_flag(signed_in(other), cell, note="Carol's note")
    client = signed_in(reader)
    assert "You have flagged nothing yet" in get_page(client, MINE)
    assert "Carol's note" not in get_page(client, MINE)
    refused_page(client, f"{MINE}?page=x", "page")
    assert Client().get(MINE).status_code == 302


def test_levels_and_activities_are_flagged_from_their_pages(reader):
    client = signed_in(reader)
    level = get_page(client, "/levels/collaboration/")
    assert 'name="target" value="/api/v1/levels/collaboration/"' in level
    activity = get_page(client, "/activities/incident-reporting/")
    assert 'name="target" value="/api/v1/activities/incident-reporting/"' in activity
    sent = send_flag(client, None, target="/api/v1/levels/collaboration/", note="Old wording.")
    assert sent.status_code == 302
    assert 'Level <a href="/levels/collaboration/">Collaboration</a>' in get_page(client, MINE)
    # At a release, no form: a flag is about the knowledge base as it is.
    assert "Flag this" not in get_page(client, "/levels/collaboration/?release=nope", 400)
