"""REST API for saved searches: /api/saved-searches (list, create), /api/saved-searches/{id} (read,
update, delete), its matches and "mark seen". Signed-in users only (session or token); anyone
else's saved search is a 404."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from search.models import SavedSearch
from search.saved import services


def _owned(request, pk) -> SavedSearch:
    try:
        return services.saved_search_get(user=request.user, pk=pk)
    except SavedSearch.DoesNotExist:
        raise NotFound("No such saved search.") from None


def _with_count(request, saved: SavedSearch) -> SavedSearch:
    return services.saved_search_list(user=request.user).get(pk=saved.pk)


@extend_schema_serializer(component_name="SavedSearch")
class SavedSearchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    query = serializers.CharField()
    filters = serializers.DictField(help_text="Canonical filters, as /api/search takes them.")
    email_digest = serializers.BooleanField(help_text="New matches go out in the e-mail digest.")
    new_count = serializers.IntegerField(help_text="Matches not seen yet.")
    created_at = serializers.DateTimeField()
    checked_at = serializers.DateTimeField(allow_null=True, help_text="The catalog moment the last run covered.")
    search_url = serializers.SerializerMethodField(help_text="The search page for it.")
    matches_url = serializers.SerializerMethodField()

    def get_search_url(self, obj: SavedSearch) -> str:
        return self.context["request"].build_absolute_uri(services.saved_search_url(obj))

    def get_matches_url(self, obj: SavedSearch) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-saved-search-matches", args=[obj.pk]))


def _errors(exc: services.SavedSearchError) -> ValidationError:
    return ValidationError(exc.errors)


class SavedSearchListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="SavedSearchCreate")
    class InputSerializer(serializers.Serializer):
        query = serializers.CharField(max_length=500, help_text="What to look for (1-500 chars).")
        filters = serializers.DictField(
            required=False,
            help_text="Any of source, publisher, format, theme, geography (lists), their exclude_ forms, "
            "year_from, year_to, undated.",
        )
        name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        email_digest = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="saved_search_list",
        summary="List my saved searches",
        responses={200: SavedSearchSerializer(many=True)},
    )
    def get(self, request):
        saved = services.saved_search_list(user=request.user)
        return Response(SavedSearchSerializer(saved, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="saved_search_create",
        summary="Save a search",
        description="201 when saved now; 200 with the existing one when the same search (query and filters) "
        "is already saved. The datasets it matches now are its baseline: only later arrivals are new. "
        "400 past SAVED_SEARCH_MAX_PER_USER.",
        request=InputSerializer,
        responses={201: SavedSearchSerializer, 200: SavedSearchSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            saved, created = services.saved_search_create(user=request.user, **data)
        except services.SavedSearchError as exc:
            raise _errors(exc) from exc
        return Response(
            SavedSearchSerializer(_with_count(request, saved), context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class SavedSearchDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="SavedSearchUpdate")
    class InputSerializer(serializers.Serializer):
        query = serializers.CharField(max_length=500, required=False)
        filters = serializers.DictField(required=False)
        name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        email_digest = serializers.BooleanField(required=False)

    @extend_schema(operation_id="saved_search_get", summary="A saved search", responses={200: SavedSearchSerializer})
    def get(self, request, pk: int):
        saved = _owned(request, pk)
        return Response(SavedSearchSerializer(_with_count(request, saved), context={"request": request}).data)

    @extend_schema(
        operation_id="saved_search_update",
        summary="Rename, switch e-mail alerts, or change the search",
        description="Changing the query or filters starts the saved search afresh (a new baseline).",
        request=InputSerializer,
        responses={200: SavedSearchSerializer},
    )
    def patch(self, request, pk: int):
        saved = _owned(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            saved = services.saved_search_update(saved=saved, user=request.user, **serializer.validated_data)
        except services.SavedSearchError as exc:
            raise _errors(exc) from exc
        return Response(SavedSearchSerializer(_with_count(request, saved), context={"request": request}).data)

    @extend_schema(operation_id="saved_search_delete", summary="Delete a saved search", responses={204: None})
    def delete(self, request, pk: int):
        services.saved_search_delete(saved=_owned(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_serializer(component_name="SavedSearchMatch")
class MatchSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(source="dataset_id")
    title = serializers.CharField(source="dataset.title")
    publisher = serializers.CharField(source="dataset.publisher.name", allow_null=True, default=None)
    source = serializers.CharField(source="dataset.source.slug")
    url = serializers.SerializerMethodField(help_text="The dataset's page here.")
    first_seen = serializers.DateTimeField(help_text="When it first matched.")
    seen = serializers.BooleanField()

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.dataset.get_absolute_url())


class SavedSearchMatchesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="saved_search_matches",
        summary="Datasets new for a saved search",
        parameters=[OpenApiParameter("all", OpenApiTypes.BOOL, description="Also the ones already seen.")],
        responses={200: MatchSerializer(many=True)},
    )
    def get(self, request, pk: int):
        saved = _owned(request, pk)
        new_only = str(request.query_params.get("all", "")).lower() not in {"1", "true", "yes"}
        matches = services.match_list(saved=saved, new_only=new_only)[:500]
        return Response(MatchSerializer(matches, many=True, context={"request": request}).data)


class SavedSearchSeenApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        dataset_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=False, max_length=1000,
            help_text="Only these datasets; all new matches when left out.",
        )  # fmt: skip

    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()

    @extend_schema(
        operation_id="saved_search_mark_seen",
        summary="Mark a saved search's new matches seen",
        request=InputSerializer,
        responses={200: OutputSerializer},
    )
    def post(self, request, pk: int):
        saved = _owned(request, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.matches_mark_seen(saved=saved, dataset_ids=serializer.validated_data.get("dataset_ids"))
        return Response({"marked": marked})
