"""What a dataset looks like to other programs: citation, Data Package, schema.org JSON-LD, code
snippets (under /api/datasets/{id}/...), and the catalog as DCAT-AP (/catalog.jsonld, /catalog.ttl).

Thin views: check the input, call a ``catalog.export`` function, answer with its content type.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .export import citation, dcat, service, snippets
from .export.datapackage import datapackage
from .export.jsonld import dataset_jsonld
from .models import Dataset


class FixedContentNegotiation(BaseContentNegotiation):
    """These views choose their own content type: an ``Accept: text/turtle`` (a harvester's) must not
    get a 406 from DRF's renderer negotiation. Errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportApiView(APIView):
    content_negotiation_class = FixedContentNegotiation


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _dataset(request, pk: int) -> Dataset:
    try:
        return selectors.dataset_get_visible(pk=pk, user=request.user)
    except Dataset.DoesNotExist:
        raise NotFound("No such dataset.") from None


def _json(data, content_type: str, *, filename: str = "") -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2) + "\n", content_type=content_type)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DatasetCitationApi(ExportApiView):
    @extend_schema(
        operation_id="dataset_citation",
        summary="Cite a dataset",
        description=(
            "The dataset's citation as BibTeX (application/x-bibtex), RIS (application/x-research-info-systems), "
            "CSL-JSON (application/vnd.citationstyles.csl+json) or an APA 7 reference line (text/plain). "
            "Research datasets also cite the paper that introduced them. `download=1` adds "
            "Content-Disposition: attachment."
        ),
        parameters=[
            OpenApiParameter("format", str, enum=list(citation.FORMATS), default="bibtex"),
            OpenApiParameter("download", bool, default=False),
        ],
        responses={
            (200, "application/x-bibtex"): OpenApiTypes.STR,
            (200, "application/x-research-info-systems"): OpenApiTypes.STR,
            (200, "application/vnd.citationstyles.csl+json"): OpenApiTypes.OBJECT,
            (200, "text/plain"): OpenApiTypes.STR,
            400: OpenApiResponse(description="Unknown format."),
            404: OpenApiResponse(description="No such dataset."),
        },
    )
    def get(self, request, pk: int):
        fmt = request.query_params.get("format", "bibtex").strip().lower()
        if fmt not in citation.FORMATS:
            raise ValidationError({"format": [f"Choose one of: {', '.join(citation.FORMATS)}."]})
        dataset = _dataset(request, pk)
        content_type, extension = citation.FORMATS[fmt]
        response = HttpResponse(
            citation.citation_render(dataset, fmt=fmt, base_url=_base_url(request)), content_type=content_type
        )
        if request.query_params.get("download") in ("1", "true", "yes"):
            response["Content-Disposition"] = f'attachment; filename="dataset-{dataset.pk}-citation.{extension}"'
        return response


class DatasetDataPackageApi(ExportApiView):
    @extend_schema(
        operation_id="dataset_datapackage",
        summary="A dataset as a Frictionless Data Package",
        description="`datapackage.json`: one resource per downloadable distribution, with a Table Schema "
        "when the distribution's preview found columns.",
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            404: OpenApiResponse(description="No such dataset."),
        },
    )
    def get(self, request, pk: int):
        dataset = _dataset(request, pk)
        return _json(datapackage(dataset, base_url=_base_url(request)), "application/json; charset=utf-8")


class DatasetJsonLdApi(ExportApiView):
    @extend_schema(
        operation_id="dataset_jsonld",
        summary="A dataset as schema.org Dataset JSON-LD",
        description="The same markup the dataset page embeds for Google Dataset Search.",
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            404: OpenApiResponse(description="No such dataset."),
        },
    )
    def get(self, request, pk: int):
        dataset = _dataset(request, pk)
        return _json(dataset_jsonld(dataset, base_url=_base_url(request)), "application/ld+json; charset=utf-8")


class SnippetSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    language = serializers.CharField()
    code = serializers.CharField()


class SnippetGroupSerializer(serializers.Serializer):
    title = serializers.CharField()
    format = serializers.CharField()
    url = serializers.CharField()
    snippets = SnippetSerializer(many=True)


class DatasetSnippetsApi(ExportApiView):
    @extend_schema(
        operation_id="dataset_snippets",
        summary="Code that fetches a dataset",
        description="curl, Python and R per distribution; the data.gov.sg download API for that portal's datasets.",
        responses={200: SnippetGroupSerializer(many=True), 404: OpenApiResponse(description="No such dataset.")},
    )
    def get(self, request, pk: int):
        dataset = _dataset(request, pk)
        return Response([g.to_dict() for g in snippets.dataset_snippets(dataset)])


class CatalogDcatApi(ExportApiView):
    """One page of the catalog as DCAT-AP; ``fmt`` comes from the URL (.jsonld or .ttl)."""

    fmt = "jsonld"

    @extend_schema(
        summary="The catalog as DCAT-AP",
        description=(
            "Active datasets as a DCAT-AP catalog (one sub-catalog per source), DCAT_EXPORT_PAGE_SIZE per page, "
            "linked with Hydra (hydra:next). Readable back by the DCAT harvester and `import_catalog`."
        ),
        parameters=[OpenApiParameter("page", int, default=1)],
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "text/turtle"): OpenApiTypes.STR,
            400: OpenApiResponse(description="Bad page number."),
            404: OpenApiResponse(description="Past the last page."),
        },
    )
    def get(self, request):
        raw = request.query_params.get("page", "1")
        try:
            page = int(raw)
        except ValueError:
            raise ValidationError({"page": ["A whole number from 1."]}) from None
        if not 1 <= page <= 100_000:
            raise ValidationError({"page": ["A whole number from 1."]})
        path = reverse("catalog-dcat-ttl" if self.fmt == "ttl" else "catalog-dcat-jsonld")
        base = _base_url(request)
        try:
            text = service.dcat_page_render(
                fmt=self.fmt, page=page, base_url=base, page_url_for=lambda n: f"{base}{path}?page={n}"
            )
        except service.PageOutOfRange as exc:
            raise NotFound(str(exc)) from None
        return HttpResponse(text, content_type=dcat.FORMATS[self.fmt][1])


class CatalogTurtleApi(CatalogDcatApi):
    fmt = "ttl"
