"""Citing from the reader, without a browser: who sees the cite links and forms, what a
cite form writes (the citations API's own checks), its errors, and the claim picker.

The browser side (selecting words, the script, axe) is tests/browser/test_citing.py.
"""

from __future__ import annotations

import re

import pytest

from atlas.editors import editors_group_sync
from core import registry
from engagement.models import Cell
from sources.citing import CLAIMS_OFFERED
from sources.models import Citation, Passage
from sources.quotes import CONTEXT_CHARS
from tests.seedtext import BRIEF

PASSWORD = "correct horse battery"
CELL_PATH = "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination/"


@pytest.fixture
def editor(kb, django_user_model):
    user = django_user_model.objects.create_user("cite-editor", password=PASSWORD)
    user.groups.add(editors_group_sync())
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reader_client(client, kb, django_user_model):
    client.force_login(django_user_model.objects.create_user("cite-reader", password=PASSWORD))
    return client


@pytest.fixture
def paragraph(kb) -> Passage:
    return Passage.objects.select_related("document").get(
        document__slug=BRIEF, anchor="executive-summary-p1"
    )


@pytest.fixture
def cell(kb) -> Cell:
    return Cell.objects.get(
        framework__slug="eu-ai-office-uk-aisi",
        activity__slug="incident-reporting",
        level__slug="coordination",
    )


def cite_url(passage: Passage) -> str:
    return f"/documents/{passage.document.slug}/passages/{passage.anchor}/cite/"


def test_readers_get_no_cite_links_or_script(client, reader_client, kb):
    anonymous = client.get(f"/documents/{BRIEF}/").content.decode()
    client.logout()
    for html in (anonymous, reader_client.get(f"/documents/{BRIEF}/").content.decode()):
        assert "cite-link" not in html
        assert "js/cite.js" not in html
        assert "/cite/" not in html


def test_an_editor_page_links_each_passage_cite_form_without_changing_its_text(
    editor_client, client, kb
):
    html = editor_client.get(f"/documents/{BRIEF}/").content.decode()
    assert "js/cite.js" in html
    passages = Passage.objects.filter(document__slug=BRIEF, page="", retired=False)
    for passage in passages:
        assert (
            f'<a class="cite-link" href="{cite_url(passage)}" data-passage="{passage.anchor}" '
            f'aria-label="Cite words from passage {passage.anchor}"></a>'
        ) in html
    # Without the cite links, the editor's page is the anonymous visitor's text.
    editor_client.logout()
    anonymous = client.get(f"/documents/{BRIEF}/").content.decode()
    start, end = anonymous.index('<section class="text"'), anonymous.index("</section>")
    stripped = re.sub(r'<a class="cite-link"[^>]*></a>', "", html)
    assert stripped[stripped.index('<section class="text"') :].startswith(anonymous[start:end])


def test_signed_out_visitors_are_sent_to_sign_in_and_readers_refused(
    client, reader_client, paragraph
):
    reader = reader_client.get(cite_url(paragraph))
    assert reader.status_code == 403
    assert reader_client.post(cite_url(paragraph), {"exact": "x"}).status_code == 403
    assert reader_client.get("/editors/claims/?q=incident").status_code == 403
    reader_client.logout()
    before = Citation.objects.count()
    response = client.get(cite_url(paragraph))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    posted = client.post(
        cite_url(paragraph), {"claim": "cell:1", "exact": "The UK AI", "action": "cite"}
    )
    assert posted.status_code == 302 and posted["Location"].startswith("/sign-in/")
    assert Citation.objects.count() == before
    search = client.get("/editors/claims/?q=incident")
    assert search.status_code == 403
    assert search.json() == {"detail": "Only editors search claims to cite."}


def test_a_typed_quote_is_cited_as_the_api_cites_it(editor_client, editor, paragraph, cell):
    exact = "overlapping mandates"
    response = editor_client.post(
        cite_url(paragraph),
        {"claim": f"cell:{cell.pk}", "role": "support", "exact": exact, "action": "cite"},
    )
    assert response.status_code == 302
    assert response["Location"] == CELL_PATH
    citation = Citation.objects.latest("pk")
    shown = paragraph.shown
    start = shown.index(exact)
    assert (citation.claim, citation.passage, citation.role) == (cell, paragraph, "support")
    assert (citation.exact, citation.start, citation.end) == (exact, start, start + len(exact))
    assert citation.prefix == shown[start - CONTEXT_CHARS : start]
    assert citation.suffix == shown[start + len(exact) :][:CONTEXT_CHARS]
    assert citation.valid
    assert citation.history.latest().history_user == editor
    page = editor_client.get(CELL_PATH).content.decode()
    assert f'<mark class="quote">{exact}</mark>' in page


def test_a_selection_is_cited_at_its_offsets(editor_client, paragraph, cell):
    shown = paragraph.shown
    # "AI" appears several times: the selection, not the first appearance, is cited.
    start = shown.index(" AI Office") + 1
    assert shown.index("AI") < start
    form = editor_client.get(f"{cite_url(paragraph)}?start={start - 1}&end={start + 2}")
    html = form.content.decode()
    assert form.status_code == 200
    assert f'name="start" value="{start}"' in html  # the space before it left out
    assert ">AI</textarea>" in html
    assert '<mark class="quote">AI</mark>' in html
    response = editor_client.post(
        cite_url(paragraph),
        {"claim": f"cell:{cell.pk}", "role": "source", "exact": "AI", "start": str(start)},
    )
    assert response.status_code == 302
    citation = Citation.objects.latest("pk")
    assert (citation.exact, citation.start, citation.end) == ("AI", start, start + 2)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"exact": "words the brief never wrote"}, "exact", "is not found in passage"),
        ({"exact": "   "}, "exact", "A quote cannot be empty."),
        ({"exact": "AI", "start": "0"}, "exact", "The quote is not found at 0-2"),
        ({"exact": "AI", "start": "zero"}, "exact", "is not an offset"),
        ({"claim": "cell:999999999"}, "claim", "No cell has id 999999999."),
        ({"claim": "nothing:1"}, "claim", "Choose a claim from the list"),
        ({"claim": ""}, "claim", "Choose a claim from the list"),
        ({"role": "gossip"}, "role", "is not a valid choice"),
    ],
)
def test_a_bad_citation_is_refused_naming_the_field_and_writes_nothing(
    editor_client, paragraph, cell, values, field, message
):
    data = {"claim": f"cell:{cell.pk}", "role": "source", "exact": "The UK AI", **values}
    before = Citation.objects.count()
    response = editor_client.post(cite_url(paragraph), {**data, "action": "cite"})
    assert response.status_code == 400
    assert Citation.objects.count() == before
    errors = response.context["form_errors"]
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert f'href="#cite-{field}"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("query", "name"),
    [("start=abc&end=4", "start"), ("start=4", "end"), ("start=3&end=100000", "start")],
)
def test_a_bad_selection_is_a_400_naming_it(editor_client, paragraph, query, name):
    response = editor_client.get(f"{cite_url(paragraph)}?{query}")
    assert response.status_code == 400
    assert list(response.context["errors"]) == [name]


def test_unknown_passage_and_parameter(editor_client, paragraph):
    assert editor_client.get(f"/documents/{BRIEF}/passages/nowhere/cite/").status_code == 404
    assert editor_client.get(f"{cite_url(paragraph)}?colour=red").status_code == 400


def test_find_lists_the_matching_claims_and_writes_nothing(editor_client, paragraph, cell):
    before = Citation.objects.count()
    response = editor_client.post(
        cite_url(paragraph),
        {"q": "incident reporting coordination", "exact": "The UK AI", "action": "find"},
    )
    assert response.status_code == 200
    assert Citation.objects.count() == before
    assert [c.value for c in response.context["choices"]] == [f"cell:{cell.pk}"]
    assert f'<option value="cell:{cell.pk}">' in response.content.decode()
    # What was typed is kept.
    assert ">The UK AI</textarea>" in response.content.decode()


def test_the_claim_search_is_bounded_and_finds_every_claim_type(editor_client, cell):
    many = editor_client.get("/editors/claims/?q=eu").json()
    assert len(many["results"]) == CLAIMS_OFFERED and many["truncated"] is True
    one = editor_client.get("/editors/claims/?q=incident reporting coordination uk").json()
    assert one == {
        "results": [
            {
                "value": f"cell:{cell.pk}",
                "kind": "Cell",
                "label": "Cell Incident Reporting / Coordination "
                "(EU AI Office and UK AISI (policy brief, March 2025))",
                "text": "Cell Incident Reporting / Coordination "
                "(EU AI Office and UK AISI (policy brief, March 2025))",
            }
        ],
        "truncated": False,
    }
    kinds = {
        r["kind"] for r in editor_client.get("/editors/claims/?q=collaboration").json()["results"]
    }
    assert "Level" in kinds
    institution = editor_client.get("/editors/claims/?q=uk-aisi").json()["results"]
    assert any(r["kind"] == "Institution" for r in institution)
    assert editor_client.get("/editors/claims/?q=").json() == {"results": [], "truncated": False}


def test_the_claim_search_and_the_cite_form_make_a_fixed_number_of_queries(
    editor_client, paragraph, django_assert_num_queries
):
    claim_types = len(registry.claim_types())
    # The session, the user, the user's and their groups' permissions; one query per claim
    # type, whatever the number of claims that match.
    with django_assert_num_queries(4 + claim_types):
        editor_client.get("/editors/claims/?q=eu")
    # The same, and the passage with its document and table header (joined).
    with django_assert_num_queries(4 + 1 + claim_types):
        editor_client.get(f"{cite_url(paragraph)}?start=0&end=5&q=incident")
