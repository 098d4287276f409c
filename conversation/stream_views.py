"""The streamed answer of a chat turn (Server-Sent Events), for the chat page's script.

Same authorisation as the polling endpoint (``views.chat_answer``): only the conversation's owner
(user or session) may read it; anyone else gets a 404. The page polls when this fails.
"""

from __future__ import annotations

from django.http import Http404
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from activity import services as activity
from activity.services import Owner
from search.views import HtmxHttpRequest

from . import selectors
from .answer_events import answer_events, event_stream_response, last_event_id
from .models import Message
from .views import _assistant_view, _session_key


@require_GET
def chat_answer_stream(request: HtmxHttpRequest, message_id: int):
    try:
        message = selectors.message_get(message_id=message_id, user=request.user, session_key=_session_key(request))
    except Message.DoesNotExist:
        raise Http404("No such answer") from None
    if message.answer_status == Message.AnswerStatus.NONE:
        raise Http404("This message has no answer to stream")
    owner = Owner.from_request(request)
    get_token(request)  # the final fragment's forms carry the token: settle the cookie before streaming

    def final_payload(ready: Message) -> dict:
        votes = activity.answer_votes(owner=owner, message_ids=[ready.pk])
        html = render_to_string("conversation/_answer.html", _assistant_view(ready, votes), request=request)
        return {"status": "ready", "html": html}

    events = answer_events(
        message=message, final_payload=final_payload, after_id=last_event_id(request.headers.get("Last-Event-ID"))
    )
    return event_stream_response(events)
