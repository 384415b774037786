"""`/institutions/compare/export.csv|xlsx?a=&b=`: the brief's functions table, side by side."""

from __future__ import annotations

import pytest

from core.dataset import dataset_version
from tests.helpers import read_csv, read_xlsx, sheet_rows
from tests.seedtext import functions_rows

pytestmark = pytest.mark.usefixtures("kb")

URL = "/institutions/compare/export"


def test_csv_is_the_source_table(client):
    response = client.get(f"{URL}.csv?a=uk-aisi&b=eu-ai-office")
    assert response.status_code == 200
    version = dataset_version().version
    assert response["X-Dataset-Version"] == str(version)
    assert f"functions-uk-aisi-eu-ai-office-v{version}.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0])[:3] == ["function", "uk-aisi status", "uk-aisi statement"]
    source = functions_rows()
    assert [(r["function"], r["uk-aisi statement"], r["eu-ai-office statement"]) for r in rows] == [
        (label.strip(), uk.strip(), eu.strip()) for label, uk, eu in source
    ]
    assert all("#table-1-comparisons-of-functions-" in r["uk-aisi source_url"] for r in rows)


def test_xlsx_is_the_same_table_with_about(client):
    workbook = read_xlsx(client.get(f"{URL}.xlsx?a=eu-ai-office&b=uk-aisi"))
    assert workbook.sheetnames == ["functions", "about"]
    rows = sheet_rows(workbook["functions"])
    assert rows[0][1] == "eu-ai-office status"
    assert [row[2] for row in rows[1:]] == [eu.strip() for _, _, eu in functions_rows()]
    about = dict(sheet_rows(workbook["about"]))
    assert about["Dataset version"] == str(dataset_version().version)


@pytest.mark.parametrize(
    ("query", "named"),
    [("a=uk-aisi", ["b"]), ("b=uk-aisi", ["a"]), ("a=nope&b=uk-aisi", ["a"]), ("", ["a", "b"])],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_missing_or_unknown_institution_is_a_400_naming_it(client, fmt, query, named):
    response = client.get(f"{URL}.{fmt}?{query}")
    assert response.status_code == 400
    lines = response.content.decode().splitlines()[1:]
    assert [line.split(":")[0] for line in lines] == named


def test_the_comparison_makes_a_fixed_number_of_queries(client, django_assert_num_queries):
    # The two institutions (one query), the dataset version, their mandates (function and
    # institution joined), the mandates' citations (passage and document joined), the
    # functions.
    with django_assert_num_queries(5):
        read_csv(client.get(f"{URL}.csv?a=uk-aisi&b=eu-ai-office"))
