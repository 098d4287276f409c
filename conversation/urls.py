from django.urls import path

from . import share_views, stream_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("chat/send", views.chat_send, name="chat-send"),
    path("chat/new", views.chat_new, name="chat-new"),
    path("chat/chips/remove", views.chat_chip_remove, name="chat-chip-remove"),
    path("chat/answers/<int:message_id>", views.chat_answer, name="chat-answer"),
    path("chat/messages/<int:message_id>/stream", stream_views.chat_answer_stream, name="chat-answer-stream"),
    path("conversations/<uuid:conversation_id>/", views.conversation_open, name="conversation-open"),
    path(
        "conversations/<uuid:conversation_id>/share",
        share_views.conversation_share_create,
        name="conversation-share-create",
    ),
    path(
        "conversations/<uuid:conversation_id>/share/revoke",
        share_views.conversation_share_revoke,
        name="conversation-share-revoke",
    ),
    path("shared/<str:token>/", share_views.conversation_shared, name="conversation-shared"),
    path("history/", views.history, name="history"),
    path("history/clear", views.history_clear, name="history-clear"),
    path("history/searches/<int:history_id>/delete", views.history_search_delete, name="history-search-delete"),
    path(
        "history/conversations/<uuid:conversation_id>/delete",
        views.history_conversation_delete,
        name="history-conversation-delete",
    ),
    path("feedback", views.feedback, name="feedback"),
    path("accounts/signup/", views.signup, name="signup"),
]
