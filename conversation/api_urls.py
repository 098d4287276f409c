from django.urls import path

from . import api, share_api, stream_views

urlpatterns = [
    path("conversation", api.ConversationTurnApi.as_view(), name="api-conversation"),
    path(
        "conversation/messages/<int:message_id>/answer",
        api.AnswerApi.as_view(),
        name="api-conversation-answer",
    ),
    path(
        "conversation/messages/<int:message_id>/stream",
        stream_views.AnswerStreamApi.as_view(),
        name="api-conversation-answer-stream",
    ),
    path("ai-search", api.AiSearchApi.as_view(), name="api-ai-search"),
    path("conversations", api.ConversationListApi.as_view(), name="api-conversations"),
    path("conversations/<uuid:conversation_id>", api.ConversationDetailApi.as_view(), name="api-conversation-detail"),
    path(
        "conversations/<uuid:conversation_id>/shares",
        share_api.ConversationShareListApi.as_view(),
        name="api-conversation-shares",
    ),
    path(
        "conversations/<uuid:conversation_id>/shares/<str:token>",
        share_api.ConversationShareDetailApi.as_view(),
        name="api-conversation-share-detail",
    ),
    path("history", api.HistoryApi.as_view(), name="api-history"),
]
