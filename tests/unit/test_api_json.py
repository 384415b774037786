"""The API's JSON renderer (orjson) writes the bytes DRF's own renderer writes."""

from __future__ import annotations

import datetime
import decimal

from django.forms.utils import ErrorDict, ErrorList
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import JSONRenderer

DRF = renderers.JSONRenderer()
OURS = JSONRenderer()


def test_the_api_data_types_render_as_drf_renders_them():
    errors = ErrorDict({"q": ErrorList(["Enter words to search for."])})
    data = {
        "results": ReturnList(
            [ReturnDict({"id": 1, "text": "a\u2028b\u2029c"}, serializer=None)], serializer=None
        ),
        "errors": errors,
        "safe": mark_safe("<b>x</b>"),
        "lazy": lazy(lambda: "later", str)(),
        "when": datetime.datetime(2025, 3, 1, 12, 30, tzinfo=datetime.UTC),
        "day": datetime.date(2025, 3, 1),
        "amount": decimal.Decimal("1.50"),
        "flags": (True, False, None),
        "unicode": "“Align ‘incident’ definitions”",
    }
    assert OURS.render(data) == DRF.render(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_json_value_renders_as_drf_renders_it(value):
    assert OURS.render(value) == DRF.render(value)


def test_an_indented_answer_is_still_drfs():
    assert OURS.render({"a": [1]}, "application/json; indent=2") == b'{\n  "a": [\n    1\n  ]\n}'
