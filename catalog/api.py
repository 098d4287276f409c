"""REST API for the catalog: GET /api/datasets (paginated, filterable) and GET /api/datasets/{id}.

GET /api/datasets/{id}/preview: the data preview and columns (catalog.previews).
Similar datasets (/api/datasets/{id}/similar) live in search/api.py. Inactive datasets exist for
staff only.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import previews, selectors
from .models import Dataset, is_staff

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # beyond any catalog; keeps the OFFSET within the database's integer range


class SourceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PublisherSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class DatasetSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = SourceSerializer()  # type: ignore[assignment]  # a declared field, not Field.source
    external_id = serializers.CharField()
    title = serializers.CharField()
    publisher = PublisherSerializer(allow_null=True)
    formats = serializers.ListField(child=serializers.CharField())
    themes = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(source="landing_url")
    status = serializers.CharField()
    temporal_start = serializers.DateField(allow_null=True)
    temporal_end = serializers.DateField(allow_null=True)
    quality_score = serializers.FloatField()
    link_status = serializers.CharField()
    source_modified_at = serializers.DateTimeField(allow_null=True)


class DistributionSerializer(serializers.Serializer):
    title = serializers.CharField()
    format = serializers.CharField()
    url = serializers.CharField()
    media_type = serializers.CharField()
    link_status = serializers.CharField()


class DatasetListApi(APIView):
    """Browse the catalog (database order by title), filtered like /api/search."""

    @extend_schema_serializer(component_name="DatasetListFilter")
    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
        page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20)
        q = serializers.CharField(required=False, max_length=500, help_text="Title contains, or exact external id.")
        source = serializers.ListField(child=serializers.CharField(), required=False)  # type: ignore[assignment]
        publisher = serializers.ListField(child=serializers.CharField(), required=False)
        format = serializers.ListField(child=serializers.CharField(), required=False)
        theme = serializers.ListField(child=serializers.CharField(), required=False)
        year_from = serializers.IntegerField(required=False, min_value=1000, max_value=2999)
        year_to = serializers.IntegerField(required=False, min_value=1000, max_value=2999)
        status = serializers.ChoiceField(choices=Dataset.Status.choices, required=False, help_text="Staff only.")

    @extend_schema_serializer(component_name="DatasetList")
    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        page = serializers.IntegerField()
        pages = serializers.IntegerField()
        page_size = serializers.IntegerField()
        results = DatasetSummarySerializer(many=True)

    @extend_schema(
        operation_id="dataset_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer},
        summary="List datasets",
    )
    def get(self, request):
        raw = {}
        for name, value in request.query_params.lists():
            if name in ("source", "publisher", "format", "theme"):
                raw[name] = [v.strip() for item in value for v in item.split(",") if v.strip()]
            else:
                raw[name] = value[-1]
        serializer = self.FilterSerializer(data=raw)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        if params.get("status") and not is_staff(request.user):
            raise ValidationError({"status": ["Only staff can list inactive datasets."]})
        try:
            qs = selectors.dataset_list(filters=params, user=request.user)
        except selectors.UnknownFilterValue as exc:
            raise ValidationError(exc.errors) from exc
        count = qs.count()
        size = params["page_size"]
        page = params["page"]
        rows = list(qs[(page - 1) * size : page * size])
        data = {"count": count, "page": page, "pages": (count + size - 1) // size, "page_size": size, "results": rows}
        return Response(self.OutputSerializer(data).data)


class DatasetDetailApi(APIView):
    @extend_schema_serializer(component_name="DatasetDetail")
    class OutputSerializer(DatasetSummarySerializer):
        description = serializers.CharField()
        tags = serializers.SerializerMethodField()
        license = serializers.CharField()
        geographic_coverage = serializers.CharField()
        update_frequency = serializers.CharField()
        status_reason = serializers.CharField()
        source_created_at = serializers.DateTimeField(allow_null=True)
        link_checked_at = serializers.DateTimeField(allow_null=True)
        distributions = DistributionSerializer(many=True, source="distributions.all")

        def get_tags(self, obj) -> list[str]:
            return [t.name for t in obj.tags.all()]

    @extend_schema(operation_id="dataset_detail", responses={200: OutputSerializer}, summary="One dataset")
    def get(self, request, pk: int):
        try:
            dataset = selectors.dataset_get_visible(pk=pk, user=request.user)
        except Dataset.DoesNotExist:
            raise NotFound("No such dataset.") from None
        return Response(self.OutputSerializer(dataset).data)


class PreviewColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField(required=False, help_text="Table Schema type: string, integer, number, date, ...")
    nulls = serializers.IntegerField(required=False, help_text="Empty cells.")
    min = serializers.JSONField(required=False, allow_null=True)
    max = serializers.JSONField(required=False, allow_null=True)
    distinct = serializers.IntegerField(required=False, allow_null=True, help_text="Exact when values are listed.")
    values = serializers.ListField(
        child=serializers.JSONField(), required=False, help_text="[[value, count], ...] for small cardinalities."
    )
    title = serializers.CharField(required=False, help_text="Portal metadata columns only.")


class PreviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ready", "pending", "unavailable", "none"])
    reason = serializers.CharField(help_text="Why it is unavailable.")
    columns = PreviewColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    row_count = serializers.IntegerField(allow_null=True, help_text="All rows; null when only part was read.")
    rows_profiled = serializers.IntegerField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    file_size = serializers.IntegerField(allow_null=True, help_text="Bytes, when known.")
    fetched_at = serializers.DateTimeField(allow_null=True)


class PreviewDistributionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="distribution_id")
    title = serializers.CharField()
    format = serializers.CharField()
    url = serializers.CharField()
    preview = PreviewSerializer()


class DatasetPreviewApi(APIView):
    @extend_schema_serializer(component_name="DatasetPreview")
    class OutputSerializer(serializers.Serializer):
        dataset = serializers.IntegerField()
        columns = PreviewColumnSerializer(many=True, help_text="All columns: previews first, then portal metadata.")
        distributions = PreviewDistributionSerializer(many=True)

    @extend_schema(
        operation_id="dataset_preview",
        responses={200: OutputSerializer},
        summary="A dataset's data preview and columns",
        description="The first rows, columns and column profile of each tabular distribution "
        "(status ready / pending / unavailable with a reason / none).",
    )
    def get(self, request, pk: int):
        try:
            dataset = selectors.dataset_get_visible(pk=pk, user=request.user)
        except Dataset.DoesNotExist:
            raise NotFound("No such dataset.") from None
        distributions = []
        for distribution, preview in previews.dataset_previews(dataset):
            shown = previews.preview_display(distribution, preview)
            distributions.append({**shown, "url": distribution.url, "preview": shown})
        data = {"dataset": dataset.pk, "columns": previews.columns_for(dataset), "distributions": distributions}
        return Response(self.OutputSerializer(data).data)
