"""The schema's pure parts: the postprocessing hooks over a schema dict, CSV columns in words."""

from __future__ import annotations

import copy

from rest_framework import serializers

from core.api.csv import CsvTable, column_meaning
from core.api.schema import hoist_anonymous_security, share_parameter_enums

OPEN = [{"bearerAuth": []}, {"cookieAuth": []}, {}]
KEYED = [{"bearerAuth": []}, {"cookieAuth": []}]


def _operation(operation_id: str, security=None, parameters=None) -> dict:
    operation: dict = {"operationId": operation_id, "responses": {"200": {}}}
    if security is not None:
        operation["security"] = security
    if parameters is not None:
        operation["parameters"] = parameters
    return operation


def test_the_open_operations_security_becomes_the_documents_default():
    schema = {
        "paths": {
            "/things/": {
                "get": _operation("things_list", OPEN),
                "post": _operation("things_create", KEYED),
                "parameters": [],  # a path item's own parameters are no operation
            },
            "/things/{id}/": {"get": _operation("things_retrieve", OPEN)},
            "/login-only/": {"get": _operation("login_list", [{"cookieAuth": []}, {}])},
        }
    }
    result = hoist_anonymous_security(schema, None, None, True)
    assert result["security"] == OPEN
    assert "security" not in result["paths"]["/things/"]["get"]
    assert "security" not in result["paths"]["/things/{id}/"]["get"]
    # Writes, and reads open otherwise than the default, keep their own.
    assert result["paths"]["/things/"]["post"]["security"] == KEYED
    assert result["paths"]["/login-only/"]["get"]["security"] == [{"cookieAuth": []}, {}]


def test_without_open_operations_the_document_has_no_default():
    schema = {"paths": {"/things/": {"post": _operation("things_create", KEYED)}}}
    result = hoist_anonymous_security(copy.deepcopy(schema), None, None, True)
    assert result == schema


def _enum_parameter(name: str, values: list[str], *, array: bool = True) -> dict:
    schema: dict = {"type": "string", "enum": values}
    if array:
        schema = {"type": "array", "items": schema}
    return {"in": "query", "name": name, "schema": schema}


def test_parameter_enums_refer_to_the_component_with_the_same_values():
    schema = {
        "components": {
            "schemas": {
                "KindEnum": {"type": "string", "enum": ["a", "b"]},
                # Two components with one set of values: which one is meant is unknown.
                "LeftEnum": {"type": "string", "enum": ["x", "y"]},
                "RightEnum": {"type": "string", "enum": ["y", "x"]},
            }
        },
        "paths": {
            "/things/": {
                "get": _operation(
                    "things_list",
                    parameters=[
                        _enum_parameter("kind", ["b", "a"]),
                        _enum_parameter("single", ["a", "b"], array=False),
                        _enum_parameter("side", ["x", "y"]),
                        _enum_parameter("other", ["a", "c"]),
                    ],
                )
            }
        },
    }
    result = share_parameter_enums(schema, None, None, True)
    kind, single, side, other = result["paths"]["/things/"]["get"]["parameters"]
    assert kind["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/KindEnum"}}
    assert single["schema"] == {"$ref": "#/components/schemas/KindEnum"}
    assert side["schema"]["items"]["enum"] == ["x", "y"]
    assert other["schema"]["items"]["enum"] == ["a", "c"]


def test_each_resources_ordering_is_one_component_for_its_json_and_csv_operations():
    values = ["name", "-name"]
    ordering = _enum_parameter("ordering", values)
    ordering["schema"]["items"]["x-enum-varnames"] = ["NAME", "NAME_DESC"]
    schema = {
        "paths": {
            "/big_things/": {
                "get": _operation("big_things_list", parameters=[copy.deepcopy(ordering)])
            },
            "/big_things.csv": {
                "get": _operation("big_things_list_csv", parameters=[copy.deepcopy(ordering)])
            },
        }
    }
    result = share_parameter_enums(schema, None, None, True)
    assert result["components"]["schemas"]["BigThingsOrdering"] == {
        "type": "string",
        "enum": values,
        "x-enum-varnames": ["NAME", "NAME_DESC"],
    }
    for path in ("/big_things/", "/big_things.csv"):
        (parameter,) = result["paths"][path]["get"]["parameters"]
        assert parameter["schema"]["items"] == {"$ref": "#/components/schemas/BigThingsOrdering"}


class _Nested(serializers.Serializer):
    name = serializers.CharField()


class _Thing(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")], help_text="What it is.")
    open = serializers.BooleanField()
    parts = _Nested(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    api_url = serializers.CharField()


def test_the_columns_are_described_by_header_field_and_meaning():
    fields = _Thing().fields
    assert column_meaning(fields["kind"]) == "What it is. One of `a`, `b`."
    assert column_meaning(fields["open"]) == "`true` or `false`."
    assert column_meaning(fields["id"]) == ""
    assert CsvTable(fields).describe() == "\n".join(
        [
            "- `ID` (`id`)",
            "- `Kind` (`kind`): What it is. One of `a`, `b`.",
            "- `Open` (`open`): `true` or `false`.",
            "- `Parts` (`parts`): Several, separated by ` | `.",
            "- `Tags` (`tags`): Several, separated by ` | `.",
            "- `API URL` (`api_url`)",
        ]
    )


def test_two_resources_ordered_by_the_same_fields_each_name_their_own_ordering():
    """Frameworks, functions and levels are ordered by the same fields as activities; a
    generated client must not call their ordering `ActivitiesOrdering`."""
    values = ["ordinal", "-ordinal", "name", "-name"]
    paths = {
        f"/{resource}/": {
            "get": _operation(f"{resource}_list", parameters=[_enum_parameter("ordering", values)])
        }
        for resource in ("activities", "frameworks", "levels")
    }
    result = share_parameter_enums({"paths": paths}, None, None, True)
    for resource, name in (
        ("activities", "ActivitiesOrdering"),
        ("frameworks", "FrameworksOrdering"),
        ("levels", "LevelsOrdering"),
    ):
        (parameter,) = result["paths"][f"/{resource}/"]["get"]["parameters"]
        assert parameter["schema"]["items"] == {"$ref": f"#/components/schemas/{name}"}
        assert result["components"]["schemas"][name]["enum"] == values
