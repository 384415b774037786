"""`core`'s pure parts: the formula guard, CSV and XLSX writing, settings from the
environment, and the API's error shape."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from rest_framework.exceptions import ErrorDetail

from core.api.errors import flatten_errors
from core.csv_safety import neutralise
from core.env import env_bool, env_int, env_list, env_rate, env_str, env_url
from core.exports import csv_lines, text_cell, xlsx_text
from tests.helpers import unguard

# --- the formula guard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44 20", "'+44 20"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (
            "Develop common AI incident reporting registry",
            "Develop common AI incident reporting registry",
        ),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (3, "3"),
    ],
)
def test_neutralise_guards_formula_triggers_and_changes_nothing_else(value, expected):
    assert neutralise(value) == expected


# Every text a cell could hold, in the characters XML 1.0 allows (an XLSX file is XML:
# it cannot hold other control characters at all).
xml_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)]
        + ["\ufffe", "\uffff"],
    )
)
formula_like = st.builds(
    lambda trigger, rest: trigger + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "\r"]),
    xml_text,
)
cell_texts = st.one_of(xml_text, formula_like)


@given(texts=st.lists(cell_texts, min_size=1, max_size=5))
def test_csv_round_trip_gives_the_text_back_and_never_a_formula(texts):
    data = b"".join(csv_lines(["text"] * len(texts), [texts])).decode("utf-8")
    _header, row = list(csv.reader(io.StringIO(data, newline="")))
    assert [unguard(value) for value in row] == texts
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row)


@given(texts=st.lists(cell_texts, min_size=1, max_size=5))
def test_xlsx_round_trip_gives_the_text_back_and_never_a_formula(texts):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cells")
    sheet.append([text_cell(sheet, text) for text in texts])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = next(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
    # XML keeps one line break, "\n": "\r\n" and "\r" arrive as "\n" in any reader.
    expected = [text.replace("\r\n", "\n").replace("\r", "\n") for text in texts]
    assert [unguard(cell.value or "") for cell in cells] == expected
    assert not any((cell.value or "").startswith(("=", "+", "-", "@")) for cell in cells)


# --- CSV and XLSX writing ------------------------------------------------------------------


def test_csv_lines_are_crlf_terminated_utf8_one_chunk_a_row():
    chunks = list(csv_lines(["Name", "Level"], [["Incident Reporting", "Separation"], ["Ü", ""]]))
    assert chunks == [
        b"Name,Level\r\n",
        b"Incident Reporting,Separation\r\n",
        "Ü,\r\n".encode(),
    ]


def test_csv_lines_with_a_bom_only_when_asked():
    plain = b"".join(csv_lines(["a"], [["b"]]))
    excel = b"".join(csv_lines(["a"], [["b"]], bom=True))
    assert plain == b"a\r\nb\r\n"
    assert excel == b"\xef\xbb\xbfa\r\nb\r\n"
    assert list(csv_lines(["a"], [], bom=True)) == [b"\xef\xbb\xbfa\r\n"]


def test_csv_lines_quote_only_what_needs_it():
    (_header, row) = csv_lines(["h"] * 4, [["x,y", 'say "hi"', "two\nlines", "plain"]])
    assert row == b'"x,y","say ""hi""","two\nlines",plain\r\n'


def test_csv_lines_guard_header_and_values_and_write_none_and_booleans():
    (header, row) = csv_lines(["=title", "ok"], [["-1", None, True, False, 3, "@x"]])
    assert header == b"'=title,ok\r\n"
    assert row == b"'-1,,true,false,3,'@x\r\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("one\r\ntwo\rthree\nfour", "one\ntwo\nthree\nfour"),
        ("\r=cmd", "\n=cmd"),  # guarded or not as a reader sees it: "\n" starts no formula
        ("=1+1", "'=1+1"),
        (None, ""),
        (7, "7"),
    ],
)
def test_xlsx_text_has_one_kind_of_line_break_then_the_guard(value, expected):
    assert xlsx_text(value) == expected


# --- settings from the environment ---------------------------------------------------------


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("off", False), ("TRUE", True), ("", False)]
)
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", default=True) is expected


@pytest.mark.parametrize("raw", ["yes", " On ", "true", "1"])
def test_more_true_booleans(monkeypatch, raw):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG") is True


def test_an_unset_variable_is_its_default(monkeypatch):
    for name in ("DEBUG", "DB_CONN_MAX_AGE", "ALLOWED_HOSTS", "DATABASE_URL", "THROTTLE", "NAME"):
        monkeypatch.delenv(name, raising=False)
    assert env_bool("DEBUG", default=True) is True
    assert env_int("DB_CONN_MAX_AGE", 60) == 60
    assert env_list("ALLOWED_HOSTS", ["localhost"]) == ["localhost"]
    assert env_url("DATABASE_URL", schemes=("postgres",)) is None
    assert env_rate("THROTTLE", "100/hour") == "100/hour"
    assert env_str("NAME") is None
    assert env_str("NAME", "atlas") == "atlas"


def test_strings_are_stripped(monkeypatch):
    monkeypatch.setenv("NAME", "  atlas \n")
    assert env_str("NAME", "other") == "atlas"


def test_a_bad_integer_names_the_variable(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "ten")
    with pytest.raises(ImproperlyConfigured, match="DB_CONN_MAX_AGE"):
        env_int("DB_CONN_MAX_AGE", 60)
    monkeypatch.setenv("DB_CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("DB_CONN_MAX_AGE", 60, minimum=0)


def test_integers(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", " 30 ")
    assert env_int("DB_CONN_MAX_AGE", 60, minimum=0) == 30
    monkeypatch.setenv("DB_CONN_MAX_AGE", "  ")
    assert env_int("DB_CONN_MAX_AGE", 60) == 60


def test_an_empty_list_is_refused(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", ["localhost"])


def test_lists_are_comma_separated_and_stripped(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " atlas.example, ,localhost ")
    assert env_list("ALLOWED_HOSTS", []) == ["atlas.example", "localhost"]


def test_a_url_with_the_wrong_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/atlas")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", schemes=("sqlite", "postgres"))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env_url("REDIS_URL", schemes=("redis",)) == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("raw", ["postgres", "postgres://", "127.0.0.1:5432"])
def test_a_url_needs_a_scheme_and_more(monkeypatch, raw):
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a URL starting with"):
        env_url("DATABASE_URL", schemes=("postgres",))


@pytest.mark.parametrize("raw", ["100/hour", "5/s", "1/day", " 30/min "])
def test_rates(monkeypatch, raw):
    monkeypatch.setenv("THROTTLE", raw)
    assert env_rate("THROTTLE", "100/hour") == raw.strip()


@pytest.mark.parametrize("raw", ["100", "0/hour", "-1/hour", "ten/hour", "100/week", "100/"])
def test_a_bad_rate_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("THROTTLE", raw)
    with pytest.raises(ImproperlyConfigured, match="THROTTLE must be a rate like 100/hour"):
        env_rate("THROTTLE", "100/hour")


# --- the API's error shape -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ({"name": ["Required."]}, {"name": ["Required."]}),
        ({"name": ["Too long.", "Not a slug."]}, {"name": ["Too long.", "Not a slug."]}),
        (
            {"citations": [{}, {"exact": ["Not found."]}], "text": ["Invented."]},
            {"citations.1.exact": ["Not found."], "text": ["Invented."]},
        ),
        (
            {"a": {"b": {"c": ["Deep."]}}},
            {"a.b.c": ["Deep."]},
        ),
        ([{"slug": ["Taken."]}, {}], {"0.slug": ["Taken."]}),
        ([["First."], ["Second."]], {"0": ["First."], "1": ["Second."]}),
        (["Not allowed."], {"non_field_errors": ["Not allowed."]}),
        ("Not allowed.", {"non_field_errors": ["Not allowed."]}),
        ({"non_field_errors": ["Both."]}, {"non_field_errors": ["Both."]}),
        ({}, {}),
    ],
)
def test_flatten_errors_names_each_field_on_one_level(errors, expected):
    assert flatten_errors(errors) == expected


def test_flatten_errors_gives_plain_strings_under_a_prefix():
    flat = flatten_errors([{"exact": [ErrorDetail("Not found.", code="invalid")]}], "citations")
    assert flat == {"citations.0.exact": ["Not found."]}
    assert type(flat["citations.0.exact"][0]) is str


def _token_after_a_tick() -> str:
    from core.dataset import _TransactionClock

    clock = _TransactionClock()
    clock.tick()
    return clock.token()


def test_a_forked_process_never_shares_a_transaction_token_with_its_parent():
    """SQLite's version triggers tell transactions apart by this token; gunicorn forks its
    workers from a master that imported the app, counters and all. Two workers that shared
    a token would stamp two transactions with one dataset version."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        child = pool.apply(_token_after_a_tick)
    parent = _token_after_a_tick()
    # Both count on from where the fork left them; the process part tells them apart.
    assert child != parent
