"""The matrix's links, built without reverse() per cell, are the links reverse() gives."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st

from core.links import link
from engagement.models import Cell, CellKind
from sources.models import CitationRole

pytestmark = pytest.mark.usefixtures("kb")

slugs = st.from_regex(r"[-a-zA-Z0-9_]+", fullmatch=True)


# No deadline: the first call warms the URL resolver, which on a busy machine takes longer.
@settings(deadline=None)
@given(framework=slugs, activity=slugs, level=slugs)
def test_link_is_what_reverse_gives(framework, activity, level):
    kwargs = {"slug": framework, "activity": activity, "level": level}
    assert link("engagement:cell-detail", **kwargs) == reverse(
        "engagement:cell-detail", kwargs=kwargs
    )


@settings(deadline=None)
@given(pk=st.integers(min_value=0), text=st.text(min_size=1))
def test_link_with_positional_values_and_any_text(pk, text):
    assert link("api:cell-detail", pk) == reverse("api:cell-detail", args=[pk])
    try:
        expected = reverse("engagement:framework-export", kwargs={"slug": "a", "fmt": text})
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            link("engagement:framework-export", slug="a", fmt=text)
    else:
        assert link("engagement:framework-export", slug="a", fmt=text) == expected


def test_link_refuses_what_reverse_refuses():
    for slug in ("", "a/b"):
        with pytest.raises(NoReverseMatch):
            link("engagement:framework-detail", slug=slug)
    with pytest.raises(NoReverseMatch):
        link("engagement:no-such-page", slug="a")


def test_link_follows_the_script_prefix():
    set_script_prefix("/atlas/")
    try:
        assert link("engagement:framework-detail", slug="x") == "/atlas/frameworks/x/"
    finally:
        set_script_prefix("/")
    assert link("engagement:framework-detail", slug="x") == "/frameworks/x/"


def _links(html: str, css_class: str) -> list[str]:
    tbody = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(rf'<a class="{css_class}" href="([^"]+)"', tbody)


@pytest.mark.parametrize("framework", ["eu-ai-office-uk-aisi", "eu-ai-office-us-aisi"])
def test_every_cell_and_source_link_of_the_matrix_is_the_models_url(client, framework):
    html = client.get(f"/frameworks/{framework}/").content.decode()
    cells = list(Cell.objects.for_list().filter(framework__slug=framework))
    filled = [cell for cell in cells if cell.kind != CellKind.EMPTY]
    empty = [cell for cell in cells if cell.kind == CellKind.EMPTY]
    assert sorted(_links(html, "cell-text")) == sorted(c.get_absolute_url() for c in filled)
    assert sorted(_links(html, "cell-link")) == sorted(c.get_absolute_url() for c in empty)
    sources = [
        citation.get_absolute_url()
        for cell in filled
        for citation in cell.citations.all()
        if citation.role == CitationRole.SOURCE
    ]
    assert sources
    assert sorted(_links(html, "cite")) == sorted(sources)


def test_cell_text_is_escaped_in_the_matrix(client):
    cell = Cell.objects.filter(framework__slug="eu-ai-office-us-aisi").first()
    Cell.objects.filter(pk=cell.pk).update(text='<script>alert("x")</script> & more')
    html = client.get("/frameworks/eu-ai-office-us-aisi/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
