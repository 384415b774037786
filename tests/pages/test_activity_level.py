"""Activity and level pages, their indexes, and the framework comparison."""

from __future__ import annotations

import re

import pytest

from tests.helpers import get_page, refused_page

pytestmark = pytest.mark.usefixtures("kb")


def test_activity_index(client, django_assert_max_num_queries):
    # count of activities; the page of them; levels; emphasised cells per activity and
    # level; the frameworks that single out a level alone.
    with django_assert_max_num_queries(5):
        html = get_page(client, "/activities/")
    assert (
        'href="/activities/affirmative-assurance-approaches/">Affirmative Assurance Approaches</a>'
        in html
    )
    # Singled out by one framework: its cell is linked, the framework named.
    assert (
        '<a href="/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/communication/"><span aria-hidden="true">★ </span>Communication</a> <span class="meta">(EU AI Office and UK AISI (policy brief, March 2025))</span>'
        in html
    )
    assert "15 activities." in html
    assert '<link rel="alternate" type="application/json" href="/api/v1/activities/">' in html


def test_activity_across_levels_and_frameworks(client, django_assert_max_num_queries):
    # activity, its citations' content type, its citations; levels; count of frameworks;
    # the page of frameworks; their cells of this activity; the cells' source citations.
    with django_assert_max_num_queries(8):
        html = get_page(client, "/activities/develop-evaluations/")
    assert "<title>Activity: Develop Evaluations · Engagement Atlas</title>" in html
    assert "Design and develop joint post-deployment evaluations" in html
    assert "Develop consistent ways to accredit evaluation developers" in html
    assert (
        "A collaborative effort to develop tools for evaluating AI models, including benchmarks and methodologies"
        in html
    )
    assert "Not in this framework" in html
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/activities/develop-evaluations/">'
        in html
    )


def test_level_index(client, django_assert_max_num_queries):
    # levels with their count of filled cells.
    with django_assert_max_num_queries(1):
        html = get_page(client, "/levels/")
    assert (
        "Communication simply means to communicate without an explicit expectation to change the other party&#x27;s actions."
        in html
    )
    assert re.findall(r'<li class="level-card level-(\w+)">', html) == [
        "collaboration",
        "coordination",
        "communication",
        "separation",
    ]


def test_level_detail_definition_conditions_and_cells(client, django_assert_max_num_queries):
    # level, its citations (passage and document joined; the content type known); count of
    # frameworks; the page of frameworks; activities; their cells at this level.
    with django_assert_max_num_queries(6):
        html = get_page(client, "/levels/collaboration/")
    assert (
        "Collaboration as a joint working process, where members or teams of both institutions aim to solve a common problem together."
        in html
    )
    assert (
        "Conditions for collaboration: a collaborative approach is ideal when the issues at hand present minimal sensitivity"
        in html
    )
    assert "Develop common AI incident reporting registry" in html
    assert "Harmonization of AI safety standards" in html
    assert "The collaboration encompasses AI testing" in html
    assert re.search(
        r'href="/documents/synergies-eu-ai-office-uk-aisi-2025/\?cite=\d+#footnote-2"', html
    )
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/levels/collaboration/">'
        in html
    )


def test_unknown_activity_or_level_is_404(client):
    get_page(client, "/activities/nothing/", status=404)
    get_page(client, "/levels/nothing/", status=404)


def test_framework_comparison_marks_cells_only_one_fills(client, django_assert_max_num_queries):
    # the two frameworks by slug; levels; the two frameworks' cells (joined); activities;
    # the picker's suggestions.
    with django_assert_max_num_queries(5):
        html = get_page(
            client, "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi"
        )
    # The brief fills 58 cells; the article 4, all where the brief has an entry too.
    assert (
        "54 cells filled only by EU AI Office and UK AISI (policy brief, March 2025); 0 only by EU AI Office and US AISI (news article, April 2024)."
        in html
    )
    assert "Design and develop joint post-deployment evaluations" in html
    assert (
        "A collaborative effort to develop tools for evaluating AI models, including benchmarks and methodologies"
        in html
    )
    assert html.count('<strong class="only-badge">Only A</strong>') == 54
    reverse = get_page(client, "/frameworks/compare/?a=eu-ai-office-us-aisi&b=eu-ai-office-uk-aisi")
    assert reverse.count('<strong class="only-badge">Only B</strong>') == 54
    assert (
        '<link rel="alternate" type="application/json" href="/api/v1/cells/?framework=eu-ai-office-uk-aisi,eu-ai-office-us-aisi">'
        in html
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "a"),
        ("a=eu-ai-office-uk-aisi", "b"),
        ("a=nope&b=eu-ai-office-uk-aisi", "a"),
        ("a=eu-ai-office-uk-aisi&b=nope", "b"),
    ],
)
def test_framework_comparison_bad_parameter_is_400(client, query, parameter):
    refused_page(client, f"/frameworks/compare/?{query}", parameter)
