"""What the API's model serializers share."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from rest_framework import serializers
from rest_framework.serializers import as_serializer_error


class ModelCleanSerializer(serializers.ModelSerializer):
    """Runs the model's own validation (constraints, lengths, choices) on what a write would
    save, so a bad value is a 400 naming the field instead of a database error."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model: type[Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_error(error)) from None
        return attrs
