"""No query parameter, however hostile, gets a 5xx: every page, export and API route.

The routes come from the URLconf and the API router (tests/hardening/routes.py), so a route
added later is covered with no change here. Each is given, for each of its parameters,
values of every hostile class: format strings, NUL and other control characters,
byte-order marks and bidirectional controls, lone surrogates, values thousands of
characters long, numbers no database column holds. A value of a class no parameter may take
is a 400 naming the parameter, in the route's own shape (JSON for the API, the error page
for pages, plain text for exports); a format string is text, refused only where the
parameter's syntax refuses it, and never formatted into a message.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.params import FREE_TEXT
from core.text import shown
from search.query import STOP_WORDS
from tests.hardening.routes import Route, concrete_urls, routes

pytestmark = pytest.mark.usefixtures("kb")

ROUTES = routes()

# Values every parameter must refuse with a 400 naming it, by class.
REFUSED = {
    "NUL": "a\x00b",
    "control character": "\x01",
    "form feed": "page\x0cbreak",
    "escape sequence": "\x1b[31mred",
    "C1 control": "a\x85b",
    "byte-order mark": "\ufeffcoordination",
    "bidirectional control": "abc\u202edef",
    "lone surrogate": "\ud800",
    "thousands of characters": "x" * 5000,
    "out-of-range number": "9" * 25,
    "out-of-range negative number": str(-(2**63) - 1),
}
# Values that are text: a 400 where the parameter refuses them, never a 5xx.
TEXT = ["%", "%s%n%x%d", "%(value)s", "{0}{.__class__}", "100%", "%%", "-1", "0", "1e309"]


def query(name: str, value: str) -> str:
    return f"{quote(name, safe='')}={quote(value, safe='', errors='surrogatepass')}"


def named(route: Route, response) -> set[str]:
    """The parameters a 400 names, read in the shape of the route."""
    content = response.content.decode()
    if route.is_api:
        assert response["Content-Type"].startswith("application/json"), content[:300]
        body = json.loads(content)
        return set(body.get("errors", body))
    if content.startswith("The export could not be made:"):
        assert response["Content-Type"].startswith("text/plain")
        return {line.split(": ", 1)[0] for line in content.splitlines()[1:] if ": " in line}
    assert response["Content-Type"].startswith("text/html"), content[:300]
    return set(re.findall(r"<li>Parameter <code>(.*?)</code>", content))


def check(client, route: Route, url: str, name: str, value: str) -> None:
    """Never a 5xx; a 400 names the parameters at fault (this one, or one the route needs
    and was not given)."""
    response = client.get(f"{url}?{query(name, value)}")
    status = response.status_code
    assert status < 500, f"{url}?{name}={value[:40]!r}: {status}"
    if status == 400:
        assert named(route, response), (
            f"{url}?{name}: a 400 naming nothing: {response.content[:300]!r}"
        )


def reachable_urls(client, route: Route) -> list[str]:
    """The route's concrete URLs that exist (a format the route does not have is a 404); the
    first one when none does, since the parameters are checked before the view runs."""
    urls = concrete_urls(route)
    found = [url for url in urls if client.get(url).status_code != 404]
    return found or urls[:1]


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_every_parameter_of_every_route_refuses_each_hostile_class(client, route):
    classes = list(REFUSED.items())
    names = sorted(route.parameters)
    for url in reachable_urls(client, route):
        # Each parameter gets a value of some class, and each class reaches the route.
        for index in range(max(len(names), len(classes))):
            name = names[index % len(names)]
            kind, value = classes[index % len(classes)]
            if name in FREE_TEXT and kind.startswith("out-of-range"):
                check(client, route, url, name, value)  # a long number is text for `q`
                continue
            response = client.get(f"{url}?{query(name, value)}")
            assert response.status_code == 400, f"{url}?{name}= ({kind}): {response.status_code}"
            assert shown(name) in named(route, response), f"{url}?{name}= ({kind}): not named"
        for index, value in enumerate(TEXT):
            check(client, route, url, names[index % len(names)], value)


# Values with nothing to search for: the search's stop words, its operators and FTS5's
# (which user text must never reach), punctuation, invisible characters. A keyword made
# only of them is an answer (a 200 saying so, or the search's 400 naming `q`), never a 5xx.
NOTHING_TO_SEARCH_PARTS = [
    *sorted(STOP_WORDS),
    *["or", "OR", "AND", "NOT", "NEAR", "-", "--", '"', '""', "*", "^", "+", "(", ")", ":"],
    *["'", "%", ".", ",", "!", "?", "&", "|", "/", "\\", "…", "–", "—", "·", "«»"],
    *["\u200b", "\u00a0", "\u3000", "-the", '"of the"', '-"and"'],
]
NOTHING_TO_SEARCH = [
    "the",
    "and or",
    "'",
    "-",
    "%",
    "AND",
    "NOT",
    "*",
    "…",
    "\u200b",
    "the -coordination",
    '"" -',
    "of the and",
    "NEAR(a b)",
]
nothing_to_search = st.builds(
    lambda parts, glue: glue.join(parts),
    st.lists(st.sampled_from(NOTHING_TO_SEARCH_PARTS), min_size=1, max_size=6),
    st.sampled_from([" ", "  ", "\u200b", " \u00a0"]),  # never "": two words glued are a word
)
# The routes that may be given a keyword (any page may be given `q`: most refuse it).
KEYWORD_ROUTES = [route for route in ROUTES if "q" in route.parameters]
_keyword_urls: list[str] = []


def keyword_urls(client) -> list[str]:
    """The URLs of the routes that take a keyword: a word there is not refused."""
    if not _keyword_urls:
        for route in KEYWORD_ROUTES:
            for url in reachable_urls(client, route):
                response = client.get(f"{url}?q=incident")
                # A route closed to visitors (an editors' page: to the login, 401, 403) takes none.
                status = response.status_code
                to_login = "/login/" in response.get("Location", "")
                if (status < 400 and not to_login) or (
                    status == 400 and "q" not in named(route, response)
                ):
                    _keyword_urls.append(url)
    return _keyword_urls


@pytest.mark.parametrize("route", KEYWORD_ROUTES, ids=[route.name for route in KEYWORD_ROUTES])
def test_a_keyword_with_nothing_to_search_is_never_a_5xx(client, route):
    for url in reachable_urls(client, route):
        for value in NOTHING_TO_SEARCH:
            check(client, route, url, "q", value)


def test_the_routes_that_take_a_keyword_are_found(client):
    urls = keyword_urls(client)
    for url in ["/", "/frameworks/eu-ai-office-uk-aisi/", "/search/", "/api/v1/cells/"]:
        assert url in urls
    assert "/frameworks/eu-ai-office-uk-aisi/export.csv" in urls
    assert "/releases/" not in urls  # it refuses `q` as a parameter it does not take


# The same examples on every run, none kept between runs, with the test client as a fixture.
REPEATABLE = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@settings(max_examples=150, **REPEATABLE)
@given(
    data=st.data(),
    value=nothing_to_search,
    also=st.sampled_from(["", "&level=coordination", "&view=levels", "&kind=verbatim"]),
)
def test_any_keyword_of_stop_words_operators_and_punctuation_is_never_a_5xx(
    client, data, value, also
):
    url = data.draw(st.sampled_from(keyword_urls(client)), label="url")
    response = client.get(f"{url}?{query('q', value)}{also}")
    assert response.status_code < 500, f"{url}?q={value!r}{also}: {response.status_code}"


hostile_text = st.one_of(
    nothing_to_search,
    st.sampled_from([*REFUSED.values(), *TEXT, *NOTHING_TO_SEARCH]),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Cs", "Co"]), max_size=8),
    st.builds(lambda n: "9" * n, st.integers(min_value=18, max_value=40)),
    st.builds(str, st.integers(min_value=-(2**70), max_value=2**70)),
    st.builds(lambda text, n: text * n, st.text(min_size=1, max_size=3), st.integers(900, 1500)),
)


@st.composite
def requests(draw):
    route = draw(st.sampled_from(ROUTES))
    name = draw(
        st.one_of(
            st.sampled_from(sorted(route.parameters)),
            st.text(alphabet="abcxyz_\x00\x01\u202e\ufeff", min_size=1, max_size=6),
        )
    )
    return route, draw(st.sampled_from(concrete_urls(route))), name, draw(hostile_text)


@pytest.mark.slow
@settings(max_examples=200, **REPEATABLE)
@given(drawn=requests())
def test_a_hostile_value_of_any_parameter_of_any_route_is_never_a_5xx(client, drawn):
    route, url, name, value = drawn
    check(client, route, url, name, value)


# The defects the hostile test of the running product found, each as it was reported.


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cells/?emphasised=%25",
        "/api/v1/cells/?emphasised=%25s%25n",
        "/api/v1/passages/?cited=%25",
        "/api/v1/citations/?orphaned=%25",
    ],
)
def test_a_percent_in_a_boolean_filter_is_a_400_naming_it(client, url):
    response = client.get(url)
    assert response.status_code == 400
    (name, messages), *_ = response.json()["errors"].items()
    assert name == url.split("?")[1].split("=")[0]
    assert "is not a boolean; use true or false." in messages[0]
    assert "“%" in messages[0]


@pytest.mark.parametrize("query_string", ["q=%01", "zz%01=1", "q=a%00", "level=%1b"])
def test_a_control_character_in_the_query_string_of_an_xlsx_export_is_a_400(client, query_string):
    response = client.get(f"/frameworks/eu-ai-office-uk-aisi/export.xlsx?{query_string}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "U+00" in response.content.decode()


def test_a_nul_in_a_comparison_is_a_400_on_either_database(client):
    for url in ("/institutions/compare/export.csv", "/institutions/compare/"):
        response = client.get(f"{url}?a=%00&b=uk-aisi")
        assert response.status_code == 400
        assert "U+0000 (NUL)" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/frameworks/eu-ai-office-uk-aisi/export.csv?colour=red", "colour"),
        ("/frameworks/eu-ai-office-uk-aisi/export.md?level=coordination&framework=x", "framework"),
        ("/institutions/compare/export.xlsx?a=eu-ai-office&b=uk-aisi&c=1", "c"),
        ("/documents/synergies-eu-ai-office-uk-aisi-2025/cite.bib?style=apa", "style"),
        (
            "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/coordination/cite.json?x=1",
            "x",
        ),
        ("/export/datapackage.zip?tables=cells", "tables"),
    ],
)
def test_an_export_refuses_a_parameter_it_does_not_take_as_its_page_does(client, url, name):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f"\n{name}: Unknown parameter; this address takes " in response.content.decode()


def test_an_export_takes_the_query_string_of_its_page(client):
    query_string = "level=coordination&activity=incident-reporting&view=levels&q=registry"
    assert client.get(f"/frameworks/eu-ai-office-uk-aisi/?{query_string}").status_code == 200
    for fmt in ("csv", "xlsx", "json", "md"):
        url = f"/frameworks/eu-ai-office-uk-aisi/export.{fmt}?{query_string}&excel=0"
        assert client.get(url).status_code == 200, fmt
    assert (
        client.get("/frameworks/eu-ai-office-uk-aisi/export.csv?view=sideways").status_code == 400
    )
