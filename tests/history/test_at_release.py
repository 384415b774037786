"""`?release=<tag>`: after a release and edits, every page, export and API read listed in
the contract shows the old state, says so in a banner with what changed since, and keeps
the release in its links."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from engagement.exports import md_escape
from engagement.models import Activity, Cell, EngagementLevel, Framework
from institutions.models import Institution, Mandate, Relationship
from tests.helpers import body, get_page, read_csv, read_xlsx, sheet_rows

API = "/api/v1"
MATRIX = "eu-ai-office-uk-aisi"
NEW_TEXT = "Rewritten after the release"
NEW_DEFINITION = "A definition written after the release."
NEW_STATEMENT = "Statement written after the release"
NEW_DESCRIPTION = "A description written after the release."
NEW_NAME = "UK Institute renamed after the release"
NEW_ACTIVITY = "Standards renamed after the release"

pytestmark = pytest.mark.usefixtures("kb")


@pytest.fixture
def edited(release, editor):
    """After the release, one transaction edits a cell, a level, a mandate, a relationship,
    an institution, an activity, and a framework's institutions. Returns the old values."""
    cell = Cell.objects.get(
        framework__slug=MATRIX, activity__slug="standards", level__slug="separation"
    )
    level = EngagementLevel.objects.get(slug="separation")
    mandate = Mandate.objects.get(
        institution__slug="uk-aisi", function__slug="evaluating-capabilities"
    )
    relationship = Relationship.objects.get(slug="uk-aisi-us-aisi-mou")
    institution = Institution.objects.get(slug="uk-aisi")
    activity = Activity.objects.get(slug="standards")
    framework = Framework.objects.get(slug=MATRIX)
    old = {
        "cell": cell.text,
        "definition": level.definition,
        "statement": mandate.statement,
        "description": relationship.description,
        "name": institution.name,
        "activity": activity.name,
        "cell_id": cell.pk,
        "mandate_id": mandate.pk,
    }
    with transaction.atomic():
        cell.kind, cell.text = "analyst", NEW_TEXT
        level.definition = NEW_DEFINITION
        mandate.statement = NEW_STATEMENT
        relationship.description = NEW_DESCRIPTION
        institution.name = NEW_NAME
        activity.name = NEW_ACTIVITY
        for obj in (cell, level, mandate, relationship, institution, activity):
            obj._history_user = editor
            obj.save()
        framework.institutions.remove(Institution.objects.get(slug="eu-ai-office"))
    return old


def main_of(html: str) -> str:
    """The page without its release banner (which quotes what changed since)."""
    start = html.index('<main id="main"')
    banner_end = html.find("</aside>", start)
    assert 'class="release-banner"' in html[start:banner_end], "no release banner"
    return html[banner_end:]


def banner_of(html: str) -> str:
    start = html.index('class="release-banner"')
    return html[start : html.index("</aside>", start)]


def test_the_matrix_at_a_release(client, edited, release):
    html = get_page(client, f"/frameworks/{MATRIX}/?release=v1.0")
    main = main_of(html)
    assert edited["cell"] in main and NEW_TEXT not in main
    # As it stood: both institutions, the activity's old name.
    assert ">EU AI Office</a>" in main and edited["activity"] in main
    banner = banner_of(html)
    assert "As at release v1.0" in banner
    assert f"“{NEW_TEXT}”" in banner and "(current version)" not in banner
    cell = Cell.objects.get(pk=edited["cell_id"])
    assert f'<a href="{cell.get_absolute_url()}">current version</a>' in banner
    assert f'<a href="/frameworks/{MATRIX}/">See this page as it is now</a>' in banner
    # Its links keep the release; its filter form too.
    assert f'href="{cell.get_absolute_url()}?release=v1.0"' in main
    assert '<input type="hidden" name="release" value="v1.0">' in main
    assert f'href="/frameworks/{MATRIX}/export.csv?release=v1.0"' in main
    assert 'href="/releases/v1.0/datapackage.zip"' in main
    # Filters work at a release; a keyword search does not, and says why.
    filtered = main_of(get_page(client, f"/frameworks/{MATRIX}/?release=v1.0&level=separation"))
    assert edited["cell"] in filtered
    refused = get_page(client, f"/frameworks/{MATRIX}/?release=v1.0&q=standards", status=400)
    assert (
        "Parameter <code>q</code>: Keyword search covers the current knowledge base only" in refused
    )
    # The current page is as it is now, with no banner.
    now = get_page(client, f"/frameworks/{MATRIX}/")
    assert NEW_TEXT in now and "release-banner" not in now
    home = main_of(get_page(client, "/?release=v1.0"))
    assert edited["cell"] in home and NEW_TEXT not in home


def test_the_cell_page_at_a_release(client, edited):
    url = f"/frameworks/{MATRIX}/cells/standards/separation/"
    html = get_page(client, f"{url}?release=v1.0")
    main = main_of(html)
    assert f'<p class="cell-text-large">{edited["cell"]}</p>' in main
    assert "Verbatim from the source" in main
    assert f'<a class="permalink" href="{url}?release=v1.0">' in main
    assert f'href="{url}cite.bib?release=v1.0"' in main
    assert f"“{NEW_TEXT}”" in banner_of(html)
    # The quote is marked in its passage as the release had it.
    assert '<mark class="quote">' in main


def test_the_activity_level_and_institution_pages_at_a_release(client, edited):
    activity = main_of(get_page(client, "/activities/standards/?release=v1.0"))
    assert f"</span>{edited['activity']}</h1>" in activity and NEW_ACTIVITY not in activity
    assert edited["cell"] in activity

    level_html = get_page(client, "/levels/separation/?release=v1.0")
    level = main_of(level_html)
    assert f"<blockquote>{edited['definition']}</blockquote>" in level
    assert NEW_DEFINITION not in level and edited["cell"] in level
    assert NEW_DEFINITION in banner_of(level_html)

    html = get_page(client, "/institutions/uk-aisi/?release=v1.0")
    institution = main_of(html)
    assert f"<h1>{edited['name']}</h1>" in institution
    assert edited["statement"] in institution and NEW_STATEMENT not in institution
    assert edited["description"] in institution and NEW_DESCRIPTION not in institution
    # It was still part of the framework at the release.
    assert f'href="/frameworks/{MATRIX}/?release=v1.0"' in institution
    banner = banner_of(html)
    assert NEW_NAME in banner and NEW_STATEMENT in banner and NEW_DESCRIPTION in banner


def test_the_comparison_pages_at_a_release(client, edited):
    functions = main_of(
        get_page(client, "/institutions/compare/?a=uk-aisi&b=eu-ai-office&release=v1.0")
    )
    assert edited["statement"] in functions and NEW_STATEMENT not in functions
    assert '<input type="hidden" name="release" value="v1.0">' in functions
    matrices = main_of(
        get_page(client, f"/frameworks/compare/?a={MATRIX}&b=eu-ai-office-us-aisi&release=v1.0")
    )
    assert edited["cell"] in matrices and NEW_TEXT not in matrices


def test_framework_exports_at_a_release_hold_the_old_text_and_name_it(client, edited, release):
    base = f"/frameworks/{MATRIX}/export"
    response = client.get(f"{base}.csv?release=v1.0&activity=standards")
    assert response.status_code == 200
    assert 'filename="eu-ai-office-uk-aisi-filtered-v1.0.csv"' in response["Content-Disposition"]
    assert response["X-Dataset-Version"] == str(release.version)
    rows = read_csv(response)
    texts = {row["level"]: row["text"] for row in rows}
    assert texts["separation"] == edited["cell"]
    assert all(row["permalink"].endswith("?release=v1.0") for row in rows)

    workbook = read_xlsx(client.get(f"{base}.xlsx?release=v1.0"))
    about = dict(sheet_rows(workbook["about"]))
    assert about["Release"].startswith("release v1.0 (dataset version")
    assert about["Filter"] == "none (every cell)"
    assert edited["cell"] in str(sheet_rows(workbook["matrix"]))

    data = json.loads(body(client.get(f"{base}.json?release=v1.0")))
    assert data["meta"]["release"] == {"tag": "v1.0", "url": "http://testserver/releases/v1.0/"}
    assert "Engagement Atlas release v1.0" in data["meta"]["how_to_cite"]
    cell = next(c for c in data["cells"] if c["id"] == edited["cell_id"])
    assert cell["text"] == edited["cell"] and cell["kind"] == "verbatim"
    assert cell["api_url"] == f"http://testserver{API}/cells/{edited['cell_id']}/?release=v1.0"

    markdown = body(client.get(f"{base}.md?release=v1.0")).decode()
    assert "- Release: release v1.0 (dataset version" in markdown
    # The stored text, escaped for Markdown processors (`engagement.exports.md_escape`).
    assert md_escape(edited["cell"]) in markdown and md_escape(NEW_TEXT) not in markdown


def test_citations_at_a_release_name_it_and_link_to_it(client, edited, release):
    url = f"/frameworks/{MATRIX}/cells/standards/separation/cite"
    text = body(client.get(f"{url}.txt?release=v1.0")).decode()
    assert f"“{edited['cell']}”" in text
    assert (
        f"Engagement Atlas release v1.0 (dataset v{release.version}), "
        "http://testserver/releases/v1.0/."
    ) in text
    bib = client.get(f"{url}.bib?release=v1.0")
    assert (
        'filename="eu-ai-office-uk-aisi-standards-separation-v1.0.bib"'
        in bib["Content-Disposition"]
    )
    assert "release v1.0" in bib.content.decode()
    csl = json.loads(client.get(f"{url}.json?release=v1.0").content)
    assert "Engagement Atlas release v1.0" in csl[0]["note"]
    document = client.get(
        "/documents/synergies-eu-ai-office-uk-aisi-2025/cite.txt?release=v1.0"
    ).content.decode()
    assert "Engagement Atlas release v1.0" in document


def test_the_comparison_export_at_a_release(client, edited):
    rows = read_csv(
        client.get("/institutions/compare/export.csv?a=uk-aisi&b=eu-ai-office&release=v1.0")
    )
    statements = [row["uk-aisi statement"] for row in rows]
    assert edited["statement"] in statements and NEW_STATEMENT not in statements
    workbook = read_xlsx(
        client.get("/institutions/compare/export.xlsx?a=uk-aisi&b=eu-ai-office&release=v1.0")
    )
    assert dict(sheet_rows(workbook["about"]))["Release"].startswith("release v1.0")


def test_api_reads_at_a_release(client, edited, release):
    cell = client.get(f"{API}/cells/{edited['cell_id']}/?release=v1.0")
    assert cell.status_code == 200
    assert cell.json()["text"] == edited["cell"]
    assert cell["ETag"].endswith('-v1.0"')
    assert cell.json()["html_url"].endswith("/cells/standards/separation/?release=v1.0")
    listed = client.get(f"{API}/cells/?release=v1.0&framework={MATRIX}&activity=standards").json()
    assert edited["cell"] in [c["text"] for c in listed["results"]]
    # The institution filter reads the framework's institutions as they stood.
    by_institution = client.get(
        f"{API}/cells/?release=v1.0&institution=eu-ai-office&framework={MATRIX}"
    )
    assert by_institution.json()["count"] == Cell.objects.filter(framework__slug=MATRIX).count()
    assert (
        client.get(f"{API}/cells/?institution=eu-ai-office&framework={MATRIX}").json()["count"] == 0
    )

    level = client.get(f"{API}/levels/separation/?release=v1.0").json()
    assert level["definition"] == edited["definition"]
    assert level["definition_citations"]
    mandate = client.get(f"{API}/mandates/{edited['mandate_id']}/?release=v1.0").json()
    assert mandate["statement"] == edited["statement"]
    relationship = client.get(f"{API}/relationships/uk-aisi-us-aisi-mou/?release=v1.0").json()
    assert relationship["description"] == edited["description"]
    institution = client.get(f"{API}/institutions/uk-aisi/?release=v1.0").json()
    assert institution["name"] == edited["name"]
    assert edited["statement"] in [m["statement"] for m in institution["mandates"]]
    activity = client.get(f"{API}/activities/standards/?release=v1.0").json()
    assert activity["name"] == edited["activity"]
    # The current state, unchanged by all this.
    assert client.get(f"{API}/levels/separation/").json()["definition"] == NEW_DEFINITION
    # A write never takes a release.
    assert client.get(f"{API}/cells/?release=v1.0&q=standards").json()["errors"] == {
        "q": ["Keyword search covers the current knowledge base only; leave out q or release."]
    }


def test_an_object_that_did_not_exist_at_the_release_is_a_404(client, release, client_editor):
    response = client_editor.post(
        f"{API}/relationships/",
        {
            "slug": "made-after-the-release",
            "kind": "technical_dialogue",
            "subject": "uk-aisi",
            "object": "france-aisi",
            "description": "Talks.",
        },
        format="json",
    )
    assert response.status_code == 201
    assert client.get(f"{API}/relationships/made-after-the-release/").status_code == 200
    assert (
        client.get(f"{API}/relationships/made-after-the-release/?release=v1.0").status_code == 404
    )


UNKNOWN = [
    f"/frameworks/{MATRIX}/",
    "/",
    f"/frameworks/{MATRIX}/cells/standards/separation/",
    "/activities/standards/",
    "/levels/separation/",
    "/institutions/uk-aisi/",
    "/institutions/compare/?a=uk-aisi&b=eu-ai-office",
    f"/frameworks/compare/?a={MATRIX}&b=eu-ai-office-us-aisi",
]
EXPORTS = [
    f"/frameworks/{MATRIX}/export.csv",
    f"/frameworks/{MATRIX}/export.xlsx",
    f"/frameworks/{MATRIX}/export.json",
    f"/frameworks/{MATRIX}/export.md",
    f"/frameworks/{MATRIX}/cells/standards/separation/cite.bib",
    "/documents/synergies-eu-ai-office-uk-aisi-2025/cite.json",
    "/institutions/compare/export.csv?a=uk-aisi&b=eu-ai-office",
]
READS = ["cells", "levels", "mandates", "relationships", "institutions", "activities"]


def _with(url: str, tag: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}release={tag}"


@pytest.mark.parametrize("tag", ["v9.9", "%25s%25n", "v1.0%00", "a" * 70, "v1.0&release=v1.0"])
def test_an_unknown_release_is_a_400_naming_release_everywhere(client, release, tag):
    for url in UNKNOWN:
        html = get_page(client, _with(url, tag), status=400)
        assert "Parameter <code>release</code>:" in html, url
    for url in EXPORTS:
        response = client.get(_with(url, tag))
        assert response.status_code == 400, url
        assert "\nrelease: " in response.content.decode(), url
    for resource in READS:
        response = client.get(_with(f"{API}/{resource}/", tag))
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["release"], resource


# Queries of each page at a release. 1 the release; its objects as they stood, one query a
# model read (a framework, its document, its institutions' rows and the institutions;
# levels; activities; cells; their citations, passages and documents...); then the banner,
# two a model shown (which of them changed since, and what they are now). The institution's
# page reads the most: its parent, units, names, mandates and their functions, three
# citations each (citations, passages, documents) for itself, its names and its mandates,
# its frameworks (two) and its relationships with both parties and their citations.
BUDGETS = {
    f"/frameworks/{MATRIX}/?release=v1.0": 15,
    f"/frameworks/{MATRIX}/cells/standards/separation/?release=v1.0": 16,
    "/activities/standards/?release=v1.0": 15,
    "/levels/separation/?release=v1.0": 17,
    "/institutions/uk-aisi/?release=v1.0": 34,
    # The pickers suggest a few institutions or frameworks (one query) besides the pair.
    "/institutions/compare/?a=uk-aisi&b=eu-ai-office&release=v1.0": 14,
    f"/frameworks/compare/?a={MATRIX}&b=eu-ai-office-us-aisi&release=v1.0": 13,
    f"/frameworks/{MATRIX}/export.csv?release=v1.0": 12,
    f"{API}/cells/?release=v1.0": 10,
    f"{API}/institutions/?release=v1.0": 18,
}


def test_pages_at_a_release_take_a_fixed_number_of_queries(
    client, edited, editor, django_assert_max_num_queries
):
    def measure() -> None:
        for url, budget in BUDGETS.items():
            with django_assert_max_num_queries(budget):
                response = client.get(url)
                assert response.status_code == 200, url
                body(response)

    measure()
    # Ten times the history, and another framework's cells: the same number of queries.
    framework = Framework.objects.get(slug="eu-ai-office-us-aisi")
    for round_ in range(10):
        for cell in Cell.objects.filter(framework__slug=MATRIX, kind="analyst"):
            cell.text = f"{NEW_TEXT} {round_}"
            cell._history_user = editor
            cell.save()
        framework.description = f"Round {round_}"
        framework.save()
    measure()
