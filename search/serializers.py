"""The one shape of a search hit in the REST API (/api/search, similar datasets and the assistant's
endpoints): ``SearchHit.to_dict()`` rendered through ``SearchHitSerializer``."""

from __future__ import annotations

from rest_framework import serializers


class FamilyDistributionSerializer(serializers.Serializer):
    format = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)


class FamilyMemberSerializer(serializers.Serializer):
    """One member of the dataset family a hit stands for."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(allow_blank=True, help_text="Landing page in the source portal.")
    temporal_start = serializers.DateField(allow_null=True)
    temporal_end = serializers.DateField(allow_null=True)
    period = serializers.CharField(allow_blank=True, help_text='The period it covers, e.g. "2015–2016".')
    lead = serializers.BooleanField(help_text="This member is the hit itself.")
    distributions = FamilyDistributionSerializer(many=True)


class FamilySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=["variants", "series"],
        help_text="variants: copies and format variants of one dataset; series: one dataset split by period.",
    )
    title = serializers.CharField()
    size = serializers.IntegerField(help_text="Number of members shown.")


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
    link_checked_at = serializers.DateTimeField(allow_null=True, required=False)
    quality_score = serializers.FloatField()
    family = FamilySerializer(
        allow_null=True,
        required=False,
        help_text="The dataset family this hit stands for (one result per family), or null when it stands alone.",
    )
    members = FamilyMemberSerializer(
        many=True,
        required=False,
        help_text="All members of the family (the hit included, lead=true); a series in time order, oldest first. "
        "A grouped hit's formats are all its members' formats. Empty when it stands alone.",
    )
