"""Markdown from the data is rendered once and sanitised: nothing executable survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sources.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    INLINE_TAGS,
    URL_SCHEMES,
    render_markdown,
)

# Known XSS vectors (OWASP filter-evasion cheat sheet, html5sec.org), in Markdown and raw HTML.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<a href="https://ok.example" style="background:url(javascript:alert(1))">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[click](https://ok.example "title" onmouseover="alert(1)")',
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<form action=javascript:alert(1)><input type=submit>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<div style="width:expression(alert(1))">x</div>',
    "<table><td background=javascript:alert(1)>x</td></table>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "`<script>alert(1)</script>`",
    "<a href='&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)'>x</a>",
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} survived in {html!r}"
            # nh3 keeps `title` and `lang` on any tag: plain text, escaped, inert.
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel", "title", "lang"}, (
                f"attribute {name} on <{tag}> survived in {html!r}"
            )
            if name == "href" and value:
                # What a browser would see: entities decoded (the parser did), controls dropped.
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
                assert scheme is None or scheme.group(1) in URL_SCHEMES, (
                    f"href {value!r} survived in {html!r}"
                )
    lowered = html.lower()
    assert "<script" not in lowered and "<style" not in lowered and "<iframe" not in lowered


def test_every_known_payload_is_neutralised():
    for payload in PAYLOADS:
        for inline in (False, True):
            assert_safe(render_markdown(payload, inline=inline))
            assert_safe(
                render_markdown(f"Before {payload} after\n\n- item {payload}", inline=inline)
            )


def test_ordinary_markdown_survives():
    html = render_markdown("**Bold** and [a link](https://example.org/x) and `code`")
    assert html == (
        '<p><strong>Bold</strong> and <a href="https://example.org/x" '
        'rel="noopener noreferrer nofollow">a link</a> and <code>code</code></p>'
    )


_fragments = st.sampled_from(
    [
        *PAYLOADS,
        "<",
        ">",
        '"',
        "'",
        "=",
        "&#",
        ";",
        "javascript:",
        "data:",
        " on",
        "click=",
        "[",
        "](",
        ")",
        "!",
        "*",
        "`",
        "\n",
        "\n\n",
        "| a | b |\n|---|---|\n",
        "<a href=",
        "<img ",
        "<svg",
        "&lt;",
        "\t",
        "\x00",
        "JAVA",
        "script",
        ":",
    ]
)


@pytest.mark.slow
@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_fragments, st.text(max_size=12)), max_size=12), st.booleans())
def test_generated_input_never_yields_executable_html(parts, inline):
    assert_safe(render_markdown("".join(parts), inline=inline))


def test_markdown_is_rendered_only_through_render_markdown():
    """No module but sources/markdown.py calls the Markdown library or nh3 itself."""
    offenders = []
    for path in settings.BASE_DIR.glob("*/**/*.py"):
        relative = path.relative_to(settings.BASE_DIR)
        if relative.parts[0] in {".venv", "tests"} or relative == Path("sources/markdown.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import markdown|from markdown|import nh3|from nh3)", text, re.M):
            offenders.append(str(relative))
    assert offenders == []


# Only HTML that was sanitised when written may be marked safe: stored `.html` fields.
_SAFE_USE = re.compile(r"\{\{\s*([^}|]+?)\s*\|[^}]*\bsafe\b")


def test_templates_mark_only_sanitised_html_safe():
    problems = []
    for path in (settings.BASE_DIR).glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(settings.BASE_DIR)
        if re.search(r"\{%\s*autoescape\s+off", text) or "|safeseq" in text:
            problems.append(f"{relative}: autoescape off / safeseq")
        for match in _SAFE_USE.finditer(text):
            if not match.group(1).endswith(".html"):
                problems.append(f"{relative}: {match.group(0)}")
    assert problems == []


# Modules allowed to mark strings safe, each because it escapes first; each has a test below.
_ESCAPES_FIRST = {
    Path("search/results.py"),
    Path("engagement/templatetags/explorer.py"),
    Path("sources/templatetags/reader.py"),
    # Stored passage HTML (sanitised when written) and escaped values only;
    # test_rendered_and_marked_passages_are_safe, test_reader_pages_escape_what_they_write.
    Path("sources/reader_html.py"),
    # mark_safe only wraps format_html output; test_hostile_names_are_escaped_on_every_page.
    Path("engagement/charts.py"),
    # Escapes every text it compares; tests/unit/test_textdiff.py.
    Path("core/textdiff.py"),
    # Jinja2 fragments, autoescaped (config/jinja2.py); test_jinja2_fragments_escape_their_values
    # and the matrix pages in test_hostile_names_are_escaped_on_every_page.
    Path("core/pages.py"),
    # JSON-LD with `<`, `>` and `&` escaped; test_json_ld_cannot_close_its_block_and_reads_back_as_given
    # and test_stored_text_cannot_leave_the_json_ld_block.
    Path("core/metadata.py"),
}


def test_python_marks_nothing_safe_unless_it_escapes_first():
    offenders = []
    for path in settings.BASE_DIR.glob("*/**/*.py"):
        relative = path.relative_to(settings.BASE_DIR)
        if relative.parts[0] in {".venv", "tests"} or relative in _ESCAPES_FIRST:
            continue
        if re.search(r"\bmark_safe\(|SafeString\(", path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == []


@pytest.mark.slow
@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(_fragments, st.sampled_from(["\x02", "\x03"]), st.text(max_size=8)), max_size=12
    )
)
def test_search_snippets_escape_the_source_text(parts):
    """The search highlighter marks its output safe: only <mark> may come out of it."""
    from search.results import highlight

    collector = _Collector()
    collector.feed(str(highlight("".join(parts))))
    assert {tag for tag, _ in collector.tags} <= {"mark"}
    assert all(attrs == [] for _, attrs in collector.tags)


# What the reader's passages may hold: the inline tags, table cells, and <mark>.
_PASSAGE_TAGS = INLINE_TAGS | {"mark", "th", "td"}


@pytest.mark.slow
@hypothesis_settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_fragments, st.text(max_size=8)), max_size=10),
    st.sampled_from(["paragraph", "table_row", "footnote", "heading"]),
    st.booleans(),
    st.data(),
)
def test_rendered_and_marked_passages_are_safe(parts, kind, markdown, data):
    """A passage rendered for the reader (`sources.passage_rendering`), a quote marked in it: only
    inline tags, cells and <mark> come out of any source text, with inert attributes, and
    its text is exactly the passage's shown text."""
    from sources.passage_rendering import Footnotes, mark_html, render_passage
    from tests.helpers import text_content

    text = "".join(parts)
    rendered = render_passage(
        text, kind=kind, markdown=markdown, footnotes=Footnotes(labels={"1", "2"})
    )
    start = data.draw(st.integers(0, len(rendered.shown)))
    end = data.draw(st.integers(start, len(rendered.shown)))
    html = mark_html(rendered.html, start, end)
    collector = _Collector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag in _PASSAGE_TAGS, html
        for name, value in attrs:
            assert name in {"href", "id", "class", "aria-label", "rel", "scope", "title"}, html
            if name == "href":
                assert value.startswith(("#", "http://", "https://", "mailto:")), html
    assert "<script" not in html.lower()
    assert text_content(html) == rendered.shown
    marked = re.findall(r'<mark class="quote">(.*?)</mark>', html, re.S)
    quote = rendered.shown[start:end]
    # Between two table cells no element can hold a mark: the tab there is left unmarked.
    expected = quote.replace("\t", "") if kind == "table_row" else quote
    assert text_content("".join(marked)) == expected


def test_reader_pages_escape_what_they_write(kb, client):
    """The reader writes stored passage HTML (sanitised at ingestion) and escapes the rest:
    a passage's anchor and a claim's label cannot become markup."""
    from sources.models import Passage

    passage = Passage.objects.get(anchor="table-1-incident-reporting")
    payload = "<script>alert(1)</script>"
    from engagement.models import Activity

    Activity.objects.filter(slug="incident-reporting").update(name=payload)
    html = client.get(passage.get_absolute_url().split("#")[0]).content.decode()
    assert payload not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_jinja2_fragments_escape_their_values():
    from django.template import engines

    from core.pages import fragment

    template = engines["jinja2"].from_string("<p>{{ name }}</p>")
    assert (
        template.render({"name": "<script>x</script>"}) == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    )
    html = fragment("engagement/matrix.html", _matrix_fragment_context("<img src=x onerror=a()>"))
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=a()&gt;" in html


def _matrix_fragment_context(payload: str) -> dict:
    from types import SimpleNamespace

    thing = SimpleNamespace(pk=1, slug="s", name=payload, ordinal=1)
    return {
        "framework": SimpleNamespace(
            name=payload, description=payload, document=SimpleNamespace(title=payload)
        ),
        "document_url": "/d/",
        "institutions": [{"name": payload, "url": "/i/"}],
        "levels": [thing],
        "activities": [thing],
        "kinds": [("k", payload)],
        "evidences": [("e", payload)],
        "views": {"v": payload},
        "selected": {"level": [], "activity": [], "kind": [], "evidence": []},
        "keyword": payload,
        "view_mode": "activities",
        "emphasised_only": False,
        "filtered": True,
        "path": "/p/",
        "matrix": None,
        "release_tag": payload,
        "release_query": "",
    }


def test_hostile_names_are_escaped_on_every_page(kb, client):
    """Names and texts from the data are escaped everywhere they appear, SVG charts included."""
    from engagement.models import Activity, Cell, EngagementLevel
    from institutions.models import Institution

    # Short enough for every name column (50 characters on PostgreSQL).
    payload = "<script>alert(1)</script><img src=x onerror=a()>"
    Activity.objects.filter(slug="develop-evaluations").update(name=payload)
    EngagementLevel.objects.filter(slug="collaboration").update(name=payload)
    Institution.objects.filter(slug="eu-ai-office").update(name=payload)
    Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi").exclude(kind="empty").update(
        text=payload
    )
    for url in [
        "/",
        "/frameworks/",
        "/frameworks/eu-ai-office-uk-aisi/",
        "/activities/develop-evaluations/",
        "/levels/collaboration/",
        "/institutions/",
        "/institutions/eu-ai-office/",
        "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi",
        "/search/?q=alert",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # Present only as text: `&lt;script&gt;`, `&lt;img src=x onerror=&quot;...`.
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        if not url.startswith("/search/"):  # snippets put <mark> inside the escaped text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
