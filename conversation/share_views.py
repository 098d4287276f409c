"""Read-only shared conversations: the owner creates or revokes a link; anyone with it may read.

The shared page needs no login, shows the turns without any control (no message box, chip
removal or feedback), is kept out of search engines (robots meta + X-Robots-Tag), sends no
Referer (the token is in the URL) and is never cached, so a revoked link is a 404 at once.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from activity.services import Owner
from search.views import HtmxHttpRequest

from . import selectors, services
from .models import ConversationShare
from .views import SESSION_KEY, _owned_conversation, _turn_items, share_panel_context


def _share_done(request: HtmxHttpRequest, conversation, text: str):
    if request.htmx:
        return render(request, "conversation/_share.html", share_panel_context(request, conversation))
    flash.success(request, text)
    if request.session.get(SESSION_KEY) == str(conversation.pk):
        return redirect(f"{reverse('home')}#share")
    return redirect("history")


@require_POST
def conversation_share_create(request: HtmxHttpRequest, conversation_id):
    conversation = _owned_conversation(request, conversation_id)
    services.share_create(conversation=conversation)
    return _share_done(request, conversation, "Read-only link created: anyone with it can read this conversation.")


@require_POST
def conversation_share_revoke(request: HtmxHttpRequest, conversation_id):
    conversation = _owned_conversation(request, conversation_id)
    services.share_revoke(conversation=conversation)
    return _share_done(request, conversation, "The link no longer works.")


@never_cache
@require_GET
def conversation_shared(request: HtmxHttpRequest, token: str):
    try:
        share = selectors.share_get_active(token=token)
    except ConversationShare.DoesNotExist:
        raise Http404("This link does not exist or was revoked") from None
    conversation = share.conversation
    messages = list(selectors.conversation_messages(conversation=conversation))
    # No owner: the read-only page shows nobody's votes.
    items = _turn_items(Owner.of(user=None, session_key=None), messages)
    response = render(
        request,
        "conversation/shared.html",
        {"conversation": conversation, "items": items, "read_only": True, "shared_at": share.created_at},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
