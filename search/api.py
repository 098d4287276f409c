"""REST API for search: GET/POST /api/search and GET /api/datasets/{id}/similar.

One APIView per operation; serializers only check shape and document the schema; the service
validates filter values against the index and does the work.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Dataset

from . import services
from .serializers import SearchHitSerializer

LIST_FILTERS = (*services.MULTI_FILTERS, *services.FACET_ONLY_FILTERS, *services.EXCLUDE_FILTERS)


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="Pass this back as the filter value.")
    label = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    source = FacetValueSerializer(many=True)
    publisher = FacetValueSerializer(many=True)
    format = FacetValueSerializer(many=True)
    theme = FacetValueSerializer(many=True)
    licence = FacetValueSerializer(many=True, help_text="SPDX ids (LicenseRef-* for others).")
    task = FacetValueSerializer(many=True, help_text="Research tasks.")
    modality = FacetValueSerializer(many=True, help_text="Data types of research datasets.")
    updated = FacetValueSerializer(many=True, help_text="week, month, year (nested) or older.")
    year = FacetValueSerializer(
        many=True, help_text="Years covered (pass as year_from and year_to); the count is what that filter returns."
    )


def _filters_from(data) -> dict:
    """Filters from query params (repeatable or comma-separated) or a JSON body."""
    filters = {}
    getlist = getattr(data, "getlist", None)
    for name in services.FILTER_NAMES:
        if name not in data:
            continue
        if name in LIST_FILTERS:
            raw = getlist(name) if getlist is not None else data.get(name)
            if raw is None:
                continue
            if not isinstance(raw, list):
                raw = [raw]
            # Strings may be comma-separated; anything else goes to the serializer as it is (and fails there).
            filters[name] = [
                v.strip() if isinstance(v, str) else v
                for item in raw
                for v in (str(item).split(",") if isinstance(item, str | int) else [item])
                if not isinstance(v, str) or v.strip()
            ]
        else:
            filters[name] = data.get(name)
    return filters


class SearchApi(APIView):
    """Hybrid dataset search. GET with query parameters or POST the same fields as JSON."""

    @extend_schema_serializer(component_name="SearchRequest")
    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(
            max_length=services.MAX_QUERY_CHARS,
            trim_whitespace=True,
            required=False,
            allow_blank=True,
            default="",
            help_text="What to look for (1-500 chars); may be left out when a filter is given (browsing, newest first).",
        )
        top_k = serializers.IntegerField(
            required=False, min_value=1, max_value=settings.SEARCH_MAX_TOP_K, default=settings.SEARCH_DEFAULT_TOP_K
        )
        page = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_PAGE, default=1)
        sort = serializers.ChoiceField(choices=services.SORTS, required=False, default="relevance")
        source = serializers.ListField(child=serializers.CharField(), required=False, help_text="Source slug(s).")
        publisher = serializers.ListField(child=serializers.CharField(), required=False, help_text="Publisher slug(s).")
        format = serializers.ListField(child=serializers.CharField(), required=False, help_text="e.g. CSV.")
        theme = serializers.ListField(child=serializers.CharField(), required=False)
        geography = serializers.ListField(child=serializers.CharField(), required=False)
        licence = serializers.ListField(child=serializers.CharField(), required=False, help_text="e.g. CC-BY-4.0.")
        task = serializers.ListField(child=serializers.CharField(), required=False, help_text="Research task.")
        modality = serializers.ListField(child=serializers.CharField(), required=False, help_text="e.g. Images.")
        updated = serializers.ListField(
            child=serializers.ChoiceField(choices=services.UPDATED_CHOICES),
            required=False,
            help_text="Last updated: week, month, year or older.",
        )
        year_from = serializers.IntegerField(required=False, min_value=1000, max_value=2999)
        year_to = serializers.IntegerField(required=False, min_value=1000, max_value=2999)
        include_inactive = serializers.BooleanField(required=False, default=False, help_text="Staff only.")
        exclude_source = serializers.ListField(child=serializers.CharField(), required=False)
        exclude_publisher = serializers.ListField(child=serializers.CharField(), required=False)
        exclude_format = serializers.ListField(
            child=serializers.CharField(), required=False, help_text="Drops datasets offered only in these formats."
        )
        exclude_theme = serializers.ListField(child=serializers.CharField(), required=False)
        exclude_geography = serializers.ListField(child=serializers.CharField(), required=False)
        undated = serializers.ChoiceField(
            choices=services.UNDATED_CHOICES,
            required=False,
            help_text="With year_from/year_to: keep datasets without coverage dates ('keep') or drop them (default).",
        )

    @extend_schema_serializer(component_name="SearchResponse")
    class OutputSerializer(serializers.Serializer):
        query = serializers.CharField()
        filters = serializers.DictField()
        results = SearchHitSerializer(many=True)
        facets = FacetsSerializer()
        total = serializers.IntegerField(help_text="Matching datasets (all pages).")
        page = serializers.IntegerField()
        pages = serializers.IntegerField()
        top_k = serializers.IntegerField()
        sort = serializers.CharField()
        took_ms = serializers.FloatField()
        cached = serializers.BooleanField()
        index_version = serializers.IntegerField()

    def _run(self, request, data):
        raw = {"q": data.get("q", ""), **_filters_from(data)}
        for name in ("top_k", "page", "sort"):
            if data.get(name) not in (None, ""):
                raw[name] = data.get(name)
        if isinstance(raw.get("include_inactive"), list):
            raw["include_inactive"] = raw["include_inactive"][0]
        serializer = self.InputSerializer(data=raw)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        filters = {k: params[k] for k in services.FILTER_NAMES if k in params and params[k] not in (None, [], False)}
        try:
            response = services.search(
                query=params["q"],
                filters=filters,
                top_k=params["top_k"],
                page=params["page"],
                sort=params["sort"],
                user=request.user,
            )
        except services.SearchValidationError as exc:
            raise ValidationError(exc.errors) from exc
        return Response(self.OutputSerializer(response.to_dict()).data)

    @extend_schema(
        operation_id="search_get",
        parameters=[InputSerializer],
        responses={200: OutputSerializer},
        summary="Search datasets",
    )
    def get(self, request):
        return self._run(request, request.query_params)

    @extend_schema(
        operation_id="search_post",
        request=InputSerializer,
        responses={200: OutputSerializer},
        summary="Search datasets (JSON body)",
    )
    def post(self, request):
        return self._run(request, request.data)


class DatasetSimilarApi(APIView):
    """Nearest neighbours of a dataset by meaning, without near-duplicates."""

    @extend_schema_serializer(component_name="SimilarDatasets")
    class OutputSerializer(serializers.Serializer):
        dataset = serializers.IntegerField()
        results = SearchHitSerializer(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("top_k", OpenApiTypes.INT, description="1-50, default 5")],
        responses={200: OutputSerializer},
        summary="Similar datasets",
    )
    def get(self, request, pk: int):
        try:
            top_k = int(request.query_params.get("top_k", 5))
        except ValueError:
            raise ValidationError({"top_k": ["Enter a whole number."]}) from None
        if not 1 <= top_k <= settings.SEARCH_MAX_TOP_K:
            raise ValidationError({"top_k": [f"Must be between 1 and {settings.SEARCH_MAX_TOP_K}."]})
        try:
            hits = services.similar_datasets(dataset_id=pk, top_k=top_k, user=request.user)
        except Dataset.DoesNotExist:
            raise NotFound("No such dataset.") from None
        return Response(self.OutputSerializer({"dataset": pk, "results": [h.to_dict() for h in hits]}).data)
