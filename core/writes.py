"""Building blocks of the apps' write services: write a row only when it would change."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def changed_fields(instance: models.Model, values: dict) -> list[str]:
    """Set `values` on `instance`; return the names of the fields whose value changed."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def row_upsert(model: type[M], *, lookup: dict, values: dict) -> tuple[M, bool]:
    """The row `lookup` finds, created or updated with `values` and validated
    (`full_clean()`); saved only when something differs. Returns it and whether it was
    written, so a second identical call writes nothing."""
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
    elif not changed_fields(instance, values):
        return instance, False
    instance.full_clean()
    instance.save()
    return instance, True
