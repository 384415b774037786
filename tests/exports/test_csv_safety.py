"""The one formula guard every CSV and XLSX export uses."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from core.csv_safety import neutralise
from core.exports import csv_lines
from core.exports import text_cell as _text_cell
from tests.exports.helpers import unguard


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        (
            "Develop common AI incident reporting registry",
            "Develop common AI incident reporting registry",
        ),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (42, "42"),
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
    sheet.append([_text_cell(sheet, text) for text in texts])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = next(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
    # XML keeps one line break, "\n": "\r\n" and "\r" arrive as "\n" in any reader.
    expected = [text.replace("\r\n", "\n").replace("\r", "\n") for text in texts]
    assert [unguard(cell.value or "") for cell in cells] == expected
    assert not any((cell.value or "").startswith(("=", "+", "-", "@")) for cell in cells)
