"""Which characters text and query parameters may hold (core/text.py, core/params.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.params import MAX_INTEGER, MAX_VALUE_CHARS, MAX_VALUES, parameter_errors
from core.text import (
    describe,
    normalise_controls,
    parameter_problem,
    shown,
    stored_text_problem,
    xml_safe,
)

# Every control character stored text may not hold: C0 but tab and line feed, DEL, C1.
FORBIDDEN_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n"]


@pytest.mark.parametrize("char", FORBIDDEN_CONTROLS)
def test_stored_text_refuses_every_control_character_and_names_it(char):
    problem = stored_text_problem(f"ab{char}c")
    assert problem is not None
    assert f"U+{ord(char):04X}" in problem and "at character 3" in problem
    assert char not in problem


@pytest.mark.parametrize("text", ["plain", "tab\there", "two\nlines", "émigré — “quoted” 🙂", ""])
def test_stored_text_takes_tab_newline_and_any_other_character(text):
    assert stored_text_problem(text) is None


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\x00", "NUL"),
        ("\x0c", "form feed"),
        ("\ufeff", "byte-order mark"),
        ("\u202e", "bidirectional control"),
        ("\ud800", "lone surrogate"),
        ("\x9b", "control character"),
    ],
)
def test_describe_names_the_character_without_writing_it(char, name):
    assert describe(char) == f"U+{ord(char):04X} ({name})"


@pytest.mark.parametrize(
    "value", ["a\x00", "a\tb", "a\nb", "\ufeffa", "a\u202eb", "a\u2066b", "\ufffd", "\x85"]
)
def test_a_parameter_holds_no_control_bom_bidi_or_undecodable_character(value):
    assert parameter_problem(value) is not None


def test_shown_escapes_what_a_message_must_not_repeat_and_cuts_long_text():
    assert shown("a\x00b\u202e") == "aU+0000bU+202E"
    assert shown("x" * 100) == "x" * 60 + "…"


def test_control_characters_are_normalised_to_what_they_meant():
    text, found = normalise_controls("Page one.\n\x0c\nPage two\x0bnext\x07 line\x85end")
    assert text == "Page one.\n\nPage two\nnext line\nend"
    assert found == {"\x0c": 1, "\x0b": 1, "\x07": 1, "\x85": 1}
    assert normalise_controls("clean\ttext\n") == ("clean\ttext\n", {})


@given(st.text())
def test_normalised_text_is_always_storable(text):
    normalised, _ = normalise_controls(text)
    assert stored_text_problem(normalised) is None


def test_xml_safe_writes_control_pictures_for_what_xml_cannot_hold():
    assert xml_safe("a\x0cb\x01c\ufffe") == "a\u240cb\u2401c\ufffd"
    # What XML holds is left alone: tab, line breaks, DEL and C1 characters.
    assert xml_safe("a\tb\nc\rd\x7f\x85") == "a\tb\nc\rd\x7f\x85"


# --- query parameters ---------------------------------------------------------------------


def test_a_clean_query_has_no_errors():
    assert (
        parameter_errors({"level": ["coordination"], "q": ["100% of incidents", "%s %n {0}"]}) == {}
    )


@pytest.mark.parametrize(
    ("params", "name", "reason"),
    [
        ({"q": ["a\x00b"]}, "q", "U+0000 (NUL)"),
        ({"level": ["\ufeffcoordination"]}, "level", "byte-order mark"),
        ({"a": ["x\u202ey"]}, "a", "bidirectional control"),
        ({"q": ["\ufffd"]}, "q", "not valid UTF-8"),
        ({"q": ["x" * (MAX_VALUE_CHARS + 1)]}, "q", "Too long"),
        ({"page": [str(MAX_INTEGER + 1)]}, "page", "Out of range"),
        ({"since": ["-" + "9" * 30]}, "since", "Out of range"),
        ({"cite": ["9" * 5000]}, "cite", "Too long"),
        ({"x\x00y": ["1"]}, "xU+0000y", "U+0000 (NUL)"),
        ({"n" * 101: ["1"]}, "n" * 60 + "…", "name too long"),
    ],
)
def test_a_hostile_parameter_is_named_with_the_reason(params, name, reason):
    errors = parameter_errors(params)
    assert list(errors) == [name]
    assert reason in errors[name][0]


def test_a_long_number_is_text_where_the_parameter_is_free_text():
    assert parameter_errors({"q": ["1" * 30]}) == {}
    assert parameter_errors({"page": [str(MAX_INTEGER)]}) == {}


def test_a_route_that_declares_its_parameters_refuses_any_other_name():
    errors = parameter_errors({"a": ["x"], "c": ["1"]}, known=frozenset({"a", "b"}))
    assert errors == {"c": ["Unknown parameter; this address takes a, b."]}
    assert parameter_errors({"z": ["1"]}, known=frozenset()) == {
        "z": ["Unknown parameter; this address takes no parameters."]
    }


def test_too_many_values_are_refused():
    errors = parameter_errors({"level": ["a"] * (MAX_VALUES + 1)})
    assert "Too many values" in errors["level"][0]


@given(
    st.dictionaries(
        st.text(max_size=120), st.lists(st.text(max_size=1200), min_size=1, max_size=3), max_size=4
    )
)
def test_no_parameter_ever_makes_the_check_fail_and_messages_never_repeat_it(params):
    errors = parameter_errors(params)
    for name, reasons in errors.items():
        assert parameter_problem(name) is None
        for reason in reasons:
            assert parameter_problem(reason) is None
