from __future__ import annotations

from django.contrib import admin

from .models import Conversation, ConversationShare, Message


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "role", "intent", "content", "answer_status", "answer_provider")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class ConversationShareInline(admin.TabularInline):
    model = ConversationShare
    fields = ("token", "created_at", "revoked_at")
    readonly_fields = ("token", "created_at")
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "created_at", "last_activity_at", "message_count")
    list_filter = ("created_at", ("user", admin.EmptyFieldListFilter))
    search_fields = ("title", "user__username", "messages__content")
    readonly_fields = ("id", "created_at", "last_activity_at", "state")
    raw_id_fields = ("user",)
    inlines = [ConversationShareInline, MessageInline]

    @admin.display(description="messages")
    def message_count(self, obj):
        return obj.messages.count()


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "role", "intent", "short_content", "answer_status", "answer_provider")
    list_filter = ("role", "intent", "answer_status", "answer_provider")
    search_fields = ("content", "answer")
    raw_id_fields = ("conversation",)
    readonly_fields = ("created_at",)

    @admin.display(description="content")
    def short_content(self, obj):
        return obj.content[:80]
