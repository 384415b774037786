"""The comparison pickers: a name or a slug, suggestions that work without JavaScript, never
a list of every object, and a clear error for a value that names nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.synthesis import knowledge_base_synthesize
from core.forms import SUGGESTIONS
from tests.helpers import get_page, read_csv

pytestmark = pytest.mark.usefixtures("kb")

COMPARE = "/institutions/compare/"


def redirected_pair(response) -> dict[str, list[str]]:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == COMPARE
    return parse_qs(location.query)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Names as the institutions' pages show them, in any case.
        ("UK AI Security Institute", "EU AI Office"),
        ("uk ai security institute", "eu ai office"),
        # A former name, a short name, a part of a name that only one has.
        ("AI Safety Institute", "EU AI Office"),
        ("Security Institute", "European AI Office"),
    ],
)
def test_the_picker_finds_an_institution_by_name_without_javascript(client, a, b):
    """A plain GET form: what a browser without JavaScript sends."""
    response = client.get(COMPARE, {"a": a, "b": b})
    assert redirected_pair(response) == {"a": ["uk-aisi"], "b": ["eu-ai-office"]}
    html = get_page(client, response["Location"])
    assert "2 of 6 functions differ in status." in html


def test_slugs_are_taken_as_they_are(client):
    html = get_page(client, f"{COMPARE}?a=uk-aisi&b=eu-ai-office")
    assert "2 of 6 functions differ in status." in html
    assert 'value="uk-aisi"' in html


def test_a_value_several_names_contain_offers_them_to_choose(client):
    response = client.get(COMPARE, {"a": "AI", "b": "eu-ai-office"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Parameter <code>a</code>: Several institutions match “AI”" in html
    assert '<h2 id="choose-a-heading">Choose the first institution</h2>' in html
    choices = re.findall(r'<li><a href="(/institutions/compare/\?[^"]+)">([^<]+)</a>', html)
    assert 2 <= len(choices) <= SUGGESTIONS
    url = next(url for url, name in choices if name == "US AI Safety Institute")
    # The choice keeps the other value as it was typed.
    assert parse_qs(urlsplit(url.replace("&amp;", "&")).query) == {
        "a": ["us-aisi"],
        "b": ["eu-ai-office"],
    }
    assert client.get(url.replace("&amp;", "&")).status_code == 200


def test_a_value_that_names_nothing_is_a_400_naming_it(client):
    html = get_page(client, f"{COMPARE}?a=uk-aisi&b=Ministry+of+Magic", status=400)
    assert (
        "Parameter <code>b</code>: No institution is called or has the slug “Ministry of Magic”."
        in html
    )
    # The value stays in its field, to be corrected.
    assert 'value="Ministry of Magic"' in html


def test_the_pickers_offer_a_bounded_set_of_suggestions(client):
    knowledge_base_synthesize(scale=3)
    for url in (COMPARE, "/institutions/", "/frameworks/", "/frameworks/compare/"):
        response = client.get(url)
        html = response.content.decode()
        datalist = re.search(r'<datalist id="cmp-suggestions">(.*?)</datalist>', html).group(1)
        options = re.findall(r'<option value="([\w-]+)">', datalist)
        assert 1 <= len(options) <= SUGGESTIONS, url
        assert "<select" not in html.split('<form class="compare-form"')[1], url
    html = get_page(client, "/institutions/")
    assert '<input type="text" id="cmp-a" name="a" value="uk-aisi" list="cmp-suggestions"' in html


def test_frameworks_are_picked_by_name_too(client):
    response = client.get(
        "/frameworks/compare/", {"a": "policy brief", "b": "EU AI Office and US AISI"}
    )
    assert response.status_code == 302
    assert (
        response["Location"] == "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi"
    )


def test_the_comparison_export_reads_names_as_the_page_does(client):
    response = client.get(
        "/institutions/compare/export.csv", {"a": "UK AI Security Institute", "b": "eu-ai-office"}
    )
    assert response.status_code == 200
    rows = read_csv(response)
    assert len(rows) == 6
    response = client.get("/institutions/compare/export.csv", {"a": "AI", "b": "eu-ai-office"})
    assert response.status_code == 400
    assert "Several institutions match" in response.content.decode()


@pytest.mark.parametrize("path", [COMPARE, "/frameworks/compare/"])
def test_a_name_is_picked_at_a_release_as_now(client, path):
    """At `?release=`, the pickers read the objects as they stood then, names included: a
    name that names one object redirects to its slug with the release kept."""
    from atlas.releases import release_create

    release_create(tag="v1.0")
    if path == COMPARE:
        a, b, slugs = "UK AI Security Institute", "eu-ai-office", ["uk-aisi", "eu-ai-office"]
    else:
        a, b = "EU AI Office and UK AISI (policy brief, March 2025)", "eu-ai-office-us-aisi"
        slugs = ["eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"]
    response = client.get(path, {"a": a, "b": b, "release": "v1.0"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"a": slugs[:1], "b": slugs[1:], "release": ["v1.0"]}
    assert client.get(response["Location"]).status_code == 200
    several = client.get(path, {"a": "AI", "b": slugs[1], "release": "v1.0"})
    assert several.status_code == 400
