"""A content model's table in the data package (`atlas.datapackage`): its columns, keys
and order. Each app declares its models' tables with the rest of their declaration
(`core.registry.Content`), so that the package lists every content model without knowing
the apps; the package itself (writing the CSVs, the zip) stays at the top of the layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    lookup: str  # the values_list() lookup
    description: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] = ()  # the values it may hold, when they are a fixed few

    def descriptor(self) -> dict:
        out: dict = {"name": self.name, "type": self.type}
        if self.type == "string" and self.lookup != "content_type__model":
            out["description"] = (self.description + " " if self.description else "") + (
                "Guarded against formulas (see the package description)."
            )
        elif self.description:
            out["description"] = self.description
        constraints: dict[str, object] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


def fk(column: str, resource: str, field_name: str = "id") -> dict:
    """A foreign key of the table's `column` to `field_name` of the table `resource`."""
    return {"fields": [column], "reference": {"resource": resource, "fields": [field_name]}}


def id_column() -> Column:
    return Column("id", "integer", "pk", "Database id; stable within this export.", True, True)


def slug_column() -> Column:
    return Column("slug", "string", "slug", "Stable, readable identifier.", True, True)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    model: type[models.Model]
    columns: list[Column]
    primary_key: list[str] = field(default_factory=lambda: ["id"])
    foreign_keys: list[dict] = field(default_factory=list)
    order_by: tuple[str, ...] = ("pk",)

    def descriptor(self) -> dict:
        schema: dict = {
            "fields": [column.descriptor() for column in self.columns],
            "primaryKey": self.primary_key,
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return {
            "name": self.name,
            "title": self.title,
            "type": "table",
            "path": f"data/{self.name}.csv",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }
