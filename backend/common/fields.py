"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.common import parties


class PartyTypeField(serializers.ChoiceField):
    """A party type (backend/common/parties.py). The document lists today's words only; an old word
    (``person``) is still read as its replacement during the transition period."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(member.value, parties.LABELS[member]) for member in parties.PartyType], **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str) and data in parties.LEGACY_VALUES:
            data = parties.LEGACY_VALUES[data].value
        return super().to_internal_value(data)
