"""REST API for the assistant: conversation turns, answers, AI search, conversations and history.

One APIView per operation; serializers only check shape; services do the work. Anonymous callers
own what their session owns (the session cookie is created on their first turn).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from activity import services as activity
from activity.services import Owner
from search.serializers import SearchHitSerializer
from search.services import SearchValidationError

from . import selectors, services
from .models import Conversation, Message


def _session_key(request, *, create: bool = False) -> str | None:
    if request.user.is_authenticated:
        return None
    session = request.session
    if not session.session_key and create:
        session.create()
    return session.session_key


class AnswerSerializer(serializers.Serializer):
    summary = serializers.CharField()
    picks = inline_serializer(
        "AnswerPick",
        {
            "id": serializers.IntegerField(),
            "title": serializers.CharField(),
            "url": serializers.CharField(),
            "why": serializers.CharField(),
        },
        many=True,
    )
    search_elsewhere = inline_serializer(
        "ExternalSearchLink",
        {
            "name": serializers.CharField(),
            "label": serializers.CharField(),
            "url": serializers.URLField(),
            "external": serializers.BooleanField(),
        },
        many=True,
        help_text="The same query on external portals: searches to try elsewhere, never catalog results.",
    )
    provider = serializers.CharField()
    nothing_good = serializers.BooleanField()


def _answer_url(message: Message) -> str:
    return reverse("api-conversation-answer", args=[message.id])


def _answer_payload(message: Message) -> dict:
    ready = message.answer_status != Message.AnswerStatus.PENDING
    return {
        "message_id": message.id,
        "status": "ready" if ready else "pending",
        "answer": message.answer if ready else None,
        "answer_data": (message.answer_data or None) if ready else None,
        "provider": message.answer_provider if ready else "",
    }


AnswerStatusSerializer = inline_serializer(
    "AnswerStatus",
    {
        "message_id": serializers.IntegerField(),
        "status": serializers.CharField(help_text="ready or pending"),
        "answer": serializers.CharField(allow_null=True),
        "answer_data": AnswerSerializer(allow_null=True),
        "provider": serializers.CharField(),
    },
)


class SearchStateChipSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["include", "exclude", "time", "sort"])
    facet = serializers.CharField(
        help_text="source, publisher, format, theme, geography, frequency, title, dataset, time or sort"
    )
    value = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField(help_text="What the chip says, e.g. 'not Urban Redevelopment Authority'.")


class SearchStateSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    include = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
        help_text="Facet -> [{value, label}] the results must match (OR within a facet, AND across facets).",
    )
    exclude = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
        help_text="Facet -> [{value, label}] the results must not match.",
    )
    year_from = serializers.IntegerField(allow_null=True)
    year_to = serializers.IntegerField(allow_null=True)
    sort = serializers.CharField()
    page = serializers.IntegerField()
    similar_to = serializers.IntegerField(allow_null=True)
    result_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The results shown, in order.")
    chips = SearchStateChipSerializer(many=True)


class ReferencesSerializer(serializers.Serializer):
    focus = serializers.IntegerField(allow_null=True, help_text="The dataset 'that one' refers to.")
    compared = serializers.ListField(
        child=serializers.IntegerField(), help_text="The last comparison's datasets (a follow-up can add to it)."
    )


class ComparisonTableSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    ids = serializers.ListField(child=serializers.IntegerField())


class ConversationTurnApi(APIView):

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ConversationTurnRequest"

        message = serializers.CharField(
            min_length=1,
            max_length=settings.CONVERSATION_MAX_MESSAGE_CHARS,
            help_text="Any length up to CONVERSATION_MAX_MESSAGE_CHARS; long messages are searched by their gist.",
        )
        conversation_id = serializers.UUIDField(required=False, allow_null=True)
        request_id = serializers.RegexField(
            r"^[A-Za-z0-9._:-]{1,64}$",
            required=False,
            help_text="Your id for this request (or the Idempotency-Key header): sending it again replays the "
            "turn it made instead of making another. Letters, digits and . _ : - (at most 64).",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ConversationTurnResponse"

        conversation_id = serializers.UUIDField()
        message_id = serializers.IntegerField()
        intent = serializers.ChoiceField(
            choices=["smalltalk", "capabilities", "search", "refine", "question", "out_of_scope"],
            help_text="question: a question about the results shown, answered in `reply` (results stay as they were).",
        )
        reply = serializers.CharField()
        results = SearchHitSerializer(many=True)
        search_state = SearchStateSerializer(help_text="The conversation's search state after this turn.")
        references = ReferencesSerializer(
            help_text="What the conversation refers to after this turn (no part of the search: a question sets it)."
        )
        table = ComparisonTableSerializer(allow_null=True, help_text="A side-by-side comparison, when the turn asked for one.")
        answer_status = serializers.ChoiceField(choices=["ready", "pending"])
        answer_url = serializers.CharField()
        answer_stream_url = serializers.CharField(help_text="The answer as Server-Sent Events, as it is written.")
        answer = serializers.CharField(allow_null=True)
        answer_data = AnswerSerializer(allow_null=True)

    @extend_schema(
        operation_id="conversation_turn",
        request=InputSerializer,
        responses={200: OutputSerializer},
        parameters=[
            OpenApiParameter(
                "wait",
                OpenApiTypes.BOOL,
                description="Wait up to ANSWER_WAIT_SECONDS for the grounded answer, then fall back to the built-in one.",
            )
        ],
        summary="Send one message to the research assistant",
    )
    def post(self, request):
        payload = request.data.copy()  # a dict (JSON) or a QueryDict (form); the header fills a missing id
        if "request_id" not in payload and request.headers.get("Idempotency-Key"):
            payload["request_id"] = request.headers["Idempotency-Key"]
        data = self.InputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        session_key = _session_key(request, create=True)
        request_id = data.validated_data.get("request_id", "")
        with services.request_claim(request_id=request_id, user=request.user, session_key=session_key):
            try:
                conversation = services.conversation_get_or_create(
                    user=request.user,
                    session_key=session_key,
                    conversation_id=data.validated_data.get("conversation_id"),
                    request_id=request_id,
                )
            except services.ConversationNotFound as exc:
                raise NotFound("No such conversation.") from exc
            turn = services.conversation_turn(
                conversation=conversation, message=data.validated_data["message"], user=request.user, request_id=request_id
            )
        message = turn.message
        if request.query_params.get("wait", "").lower() in ("1", "true", "yes"):
            message = services.answer_wait(message=message, timeout=settings.ANSWER_WAIT_SECONDS)
        else:
            message.refresh_from_db(fields=["answer", "answer_status", "answer_provider", "answer_data"])
        payload = _answer_payload(message)
        return Response(
            {
                "conversation_id": str(turn.conversation.id),
                "message_id": message.id,
                "intent": turn.intent,
                "reply": turn.reply,
                "results": turn.results,
                "search_state": turn.search_state,
                "references": turn.references,
                "table": turn.table,
                "answer_status": payload["status"],
                "answer_url": _answer_url(message),
                "answer_stream_url": reverse("api-conversation-answer-stream", args=[message.id]),
                "answer": payload["answer"],
                "answer_data": payload["answer_data"],
            }
        )


class AnswerApi(APIView):
    @extend_schema(
        operation_id="conversation_answer", responses={200: AnswerStatusSerializer}, summary="Poll an answer"
    )
    def get(self, request, message_id: int):
        try:
            message = selectors.message_get(message_id=message_id, user=request.user, session_key=_session_key(request))
        except Message.DoesNotExist as exc:
            raise NotFound() from exc
        return Response(_answer_payload(message))


class AiSearchApi(APIView):

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AiSearchRequest"

        query = serializers.CharField(min_length=1, max_length=500)
        top_k = serializers.IntegerField(min_value=1, max_value=settings.SEARCH_MAX_TOP_K, default=10)
        filters = serializers.DictField(required=False, default=dict)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AiSearchResponse"

        query = serializers.CharField()
        total = serializers.IntegerField()
        results = SearchHitSerializer(many=True)
        answer = AnswerSerializer()
        answer_text = serializers.CharField()

    @extend_schema(
        operation_id="ai_search",
        request=InputSerializer,
        responses={200: OutputSerializer},
        summary="Search and get a grounded answer in one call",
    )
    def post(self, request):

        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            outcome = services.ai_search(
                query=data.validated_data["query"],
                filters=data.validated_data.get("filters") or None,
                top_k=data.validated_data["top_k"],
                user=request.user,
                session_key=_session_key(request),
            )
        except SearchValidationError as exc:
            raise ValidationError(exc.errors) from exc
        return Response(
            {
                "query": data.validated_data["query"],
                "total": outcome.response.total,
                "results": outcome.results,
                "answer": outcome.answer.to_dict(),
                "answer_text": outcome.answer.to_text(),
            }
        )


class ConversationSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    message_count = serializers.IntegerField()
    expired = serializers.SerializerMethodField()

    def get_expired(self, obj: Conversation) -> bool:
        return selectors.conversation_is_expired(obj)


class ConversationListApi(APIView):
    class OutputSerializer(ConversationSummarySerializer):
        class Meta:
            ref_name = "ConversationSummary"

        pass

    @extend_schema(operation_id="conversation_list", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        conversations = selectors.conversation_list(user=request.user, session_key=_session_key(request))[:100]
        return Response(self.OutputSerializer(conversations, many=True).data)


class ConversationDetailApi(APIView):
    class MessageSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ConversationDetailMessage"

        id = serializers.IntegerField()
        role = serializers.CharField()
        intent = serializers.CharField()
        content = serializers.CharField()
        results = serializers.SerializerMethodField()
        answer_status = serializers.CharField()
        answer = serializers.CharField()
        answer_data = serializers.JSONField()
        created_at = serializers.DateTimeField()

        def get_results(self, obj: Message) -> list[dict]:
            return (obj.search or {}).get("results", [])

    class OutputSerializer(ConversationSummarySerializer):
        class Meta:
            ref_name = "ConversationDetailResponse"

        state = serializers.JSONField()
        messages = serializers.SerializerMethodField()

        def get_messages(self, obj: Conversation) -> list[dict]:
            messages = selectors.conversation_messages(conversation=obj)
            return ConversationDetailApi.MessageSerializer(messages, many=True).data

    def _get(self, request, conversation_id) -> Conversation:
        try:
            return selectors.conversation_list(user=request.user, session_key=_session_key(request)).get(
                pk=conversation_id
            )
        except Conversation.DoesNotExist as exc:
            raise NotFound() from exc

    @extend_schema(operation_id="conversation_detail", responses={200: OutputSerializer})
    def get(self, request, conversation_id):
        return Response(self.OutputSerializer(self._get(request, conversation_id)).data)

    @extend_schema(operation_id="conversation_delete", responses={204: None})
    def delete(self, request, conversation_id):
        services.conversation_delete(conversation=self._get(request, conversation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistoryApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HistoryEntry"

        id = serializers.IntegerField()
        query = serializers.CharField()
        filters = serializers.JSONField()
        result_count = serializers.IntegerField()
        conversation_id = serializers.UUIDField(allow_null=True)
        created_at = serializers.DateTimeField()

    @extend_schema(operation_id="history_list", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        history = activity.history_list(owner=Owner.of(user=request.user, session_key=_session_key(request)))[:200]
        return Response(self.OutputSerializer(history, many=True).data)

    @extend_schema(operation_id="history_clear", responses={204: None})
    def delete(self, request):
        activity.history_clear(owner=Owner.of(user=request.user, session_key=_session_key(request)))
        return Response(status=status.HTTP_204_NO_CONTENT)
