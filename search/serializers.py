"""The one shape of a search hit in the REST API (/api/search, similar datasets and the assistant's
endpoints): ``SearchHit.to_dict()`` rendered through ``SearchHitSerializer``."""

from __future__ import annotations

from rest_framework import serializers


class SearchHitSerializer(serializers.Serializer):
    """One search hit, exactly as /api/search returns it."""

    id = serializers.IntegerField()
    source = serializers.CharField(help_text="Source slug, e.g. datagovsg.")
    source_name = serializers.CharField()
    external_id = serializers.CharField(help_text="The dataset's id in its source portal.")
    title = serializers.CharField()
    snippet = serializers.CharField()
    publisher = serializers.CharField(allow_blank=True, allow_null=True)
    formats = serializers.ListField(child=serializers.CharField())
    themes = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(allow_blank=True, help_text="Landing page in the source portal.")
    score = serializers.FloatField()
    why = serializers.ListField(child=serializers.CharField(), help_text="Why this dataset matched.")
    temporal_start = serializers.DateField(allow_null=True)
    temporal_end = serializers.DateField(allow_null=True)
    link_status = serializers.CharField()
    quality_score = serializers.FloatField()
