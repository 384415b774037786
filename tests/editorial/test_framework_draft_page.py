"""Drafting a framework from a table in the browser, without JavaScript: the reader links
each table's draft page for editors; the page proposes a level for each column; the draft
it writes is the API's (the brief's Table 1 is the seeded framework, cell by cell)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import Client

from atlas.editors import editors_group_sync
from engagement.models import Framework
from sources.models import Passage, page_url
from tests.api.test_framework_drafts import written
from tests.drafting import TABLE_1, assert_draft_is_table_1
from tests.helpers import get_page, text_content
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

PAGE = "/editors/frameworks/draft/"
FUNCTIONS = "table-1-comparisons-of-functions-header"


def draft_url(table: str = TABLE_1, document: str = BRIEF) -> str:
    return f"{PAGE}?{urlencode({'document': document, 'table': table})}"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("ada", password="a-long-editor-passphrase")
    user.groups.add(editors_group_sync())
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def selected(html: str) -> dict[str, str]:
    """Each column's select (its label's text) and the option selected in it."""
    labels = dict(re.findall(r'<label for="(f-level-\d+)">([^<]*)</label>', html))
    chosen = {}
    for select_id, options in re.findall(
        r'<select id="(f-level-\d+)"[^>]*>(.*?)</select>', html, re.S
    ):
        values = re.findall(r'<option value="([^"]*)" selected>', options)
        assert len(values) <= 1, options
        chosen[unescape(labels[select_id])] = values[0] if values else ""
    return chosen


def test_the_reader_links_each_table_to_its_draft_page_for_editors_only(editor_client):
    reader = page_url(BRIEF, Passage.objects.get(document__slug=BRIEF, anchor=TABLE_1).page)
    html = get_page(editor_client, reader)
    links = re.findall(r'<a class="table-action" href="([^"]+)"[^>]*></a>', html)
    assert [unescape(link) for link in links] == [
        draft_url("table-1-header"),
        draft_url("table-1-comparisons-of-functions-header"),
    ]
    assert 'aria-label="Draft a framework from this table"' in html
    # The links hold no text: the page's text is the document's reading text still.
    visitor = get_page(Client(), reader)
    assert "table-action" not in visitor
    assert text_content(html).count("Draft a framework") == 0


def test_the_page_proposes_the_level_each_heading_names(
    editor_client, django_assert_max_num_queries
):
    # The session, the user and their permissions (3); the document; the table: its
    # passage, bounds, rows, the passages before and after (5); the levels.
    with django_assert_max_num_queries(12):
        html = get_page(editor_client, draft_url("table-1-standards"))
    assert selected(html) == {
        "Column 2: “Collaboration”": "collaboration",
        "Column 3: “Coordination”": "coordination",
        "Column 4: “Communication”": "communication",
        "Column 5: “Separation”": "separation",
    }
    assert "names the 15 activities: Develop Evaluations; Conduct Evaluations;" in html
    assert '<option value="">Not a level (left out)</option>' in html
    functions = get_page(editor_client, draft_url(FUNCTIONS))
    assert selected(functions) == {"Column 2: “UK AISI”": "", "Column 3: “EU AI Office”": ""}


def test_table_1_drafted_on_the_page_is_the_seeded_framework(editor_client, editor):
    form = {
        "level-1": "collaboration",
        "level-2": "coordination",
        "level-3": "communication",
        "level-4": "separation",
        "institutions": "eu-ai-office, uk-aisi",
        "name": "Table 1, drafted",
        "slug": "table-1-drafted",
    }
    response = editor_client.post(draft_url(), form)
    assert response.status_code == 303, response.content.decode()[:3000]
    assert response["Location"] == "/frameworks/table-1-drafted/"
    draft = Framework.objects.get(slug="table-1-drafted")
    assert_draft_is_table_1(draft)
    assert draft.name == "Table 1, drafted"
    assert sorted(draft.institutions.values_list("slug", flat=True)) == ["eu-ai-office", "uk-aisi"]
    assert {record.history_user for record in draft.history.all()} == {editor}


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"institutions": "uk-aisi nowhere"},
            "Institutions",
            "No institution has the slug nowhere.",
        ),
        ({"level-4": "collaboration"}, "Levels", "are both the level collaboration"),
        (
            {"level-1": "", "level-2": "", "level-3": "", "level-4": ""},
            "Levels",
            "leaves no column of the table a level",
        ),
        ({"level-2": "friendship"}, "Levels", "“friendship” (for “Coordination”) is not a level"),
        ({"slug": "eu-ai-office-uk-aisi"}, "Slug", "already exists"),
        ({"slug": "Not a slug"}, "Slug", "Enter a valid"),
        ({"name": "x" * 201}, "Name", "at most 200 characters"),
    ],
)
def test_a_refused_draft_names_the_field_and_writes_nothing(editor_client, form, field, message):
    levels = {
        "level-1": "collaboration",
        "level-2": "coordination",
        "level-3": "communication",
        "level-4": "separation",
        **form,
    }
    before = written()
    response = editor_client.post(draft_url(), levels)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="errors" role="alert" id="draft-errors".*?</div>', html, re.S)
    assert summary, html[:3000]
    assert f">{field}</a>: " in summary.group() and message in unescape(summary.group())
    assert written() == before
    # What the editor chose is kept (a value that is no level selects none).
    kept = [levels[f"level-{n}"] for n in range(1, 5)]
    assert list(selected(html).values()) == [v if v != "friendship" else "" for v in kept]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (draft_url(document="no-such-document"), "document"),
        (draft_url(table="footnote-2"), "table"),
        (draft_url(table="no-such-row"), "table"),
        (f"{draft_url()}&page=2", "page"),
    ],
)
def test_a_bad_query_string_is_a_400_naming_the_parameter(editor_client, url, parameter):
    for method in (editor_client.get, editor_client.post):
        response = method(url)
        assert response.status_code == 400
        assert f"Parameter <code>{parameter}</code>" in response.content.decode()


def test_only_editors_see_the_page(client, django_user_model):
    answer = client.get(draft_url())
    assert answer.status_code == 302 and answer["Location"].startswith("/sign-in/")
    reader = django_user_model.objects.create_user("reader", password="a-long-reader-passphrase")
    client.force_login(reader)
    before = written()
    assert client.get(draft_url()).status_code == 403
    assert client.post(draft_url(), {"level-1": "collaboration"}).status_code == 403
    assert written() == before
