"""REST API for read-only conversation links: list, create, revoke (the conversation's owner only).

Anyone else's conversation, and an unknown or already revoked token, is a 404.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .api import _session_key
from .models import Conversation, ConversationShare


def _owned(request, conversation_id) -> Conversation:
    try:
        return selectors.conversation_get(
            conversation_id=conversation_id, user=request.user, session_key=_session_key(request)
        )
    except (Conversation.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


class ShareSerializer(serializers.Serializer):
    class Meta:
        ref_name = "ConversationShare"

    token = serializers.CharField(help_text="The link's secret; it is the last part of `url`.")
    url = serializers.SerializerMethodField(help_text="The read-only page; works without login until revoked.")
    active = serializers.BooleanField(source="is_active")
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, obj: ConversationShare) -> str:
        return self.context["request"].build_absolute_uri(reverse("conversation-shared", args=[obj.token]))


class ConversationShareListApi(APIView):
    @extend_schema(
        operation_id="conversation_share_list",
        summary="List a conversation's read-only links",
        responses={200: ShareSerializer(many=True)},
    )
    def get(self, request, conversation_id):
        shares = selectors.share_list(conversation=_owned(request, conversation_id))
        return Response(ShareSerializer(shares, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="conversation_share_create",
        summary="Create a read-only link",
        description="Returns the conversation's active link: 201 when it was created now, 200 when one existed.",
        request=None,
        responses={201: ShareSerializer, 200: ShareSerializer},
    )
    def post(self, request, conversation_id):
        share, created = services.share_create(conversation=_owned(request, conversation_id))
        return Response(
            ShareSerializer(share, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConversationShareDetailApi(APIView):
    @extend_schema(
        operation_id="conversation_share_revoke",
        summary="Revoke a read-only link",
        description="The link stops working at once (its page is a 404). Revoking twice is a 404.",
        responses={204: None},
    )
    def delete(self, request, conversation_id, token: str):
        if not services.share_revoke(conversation=_owned(request, conversation_id), token=token):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
