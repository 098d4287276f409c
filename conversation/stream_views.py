"""The streamed answer of a chat turn (Server-Sent Events): for the chat page's script
(``chat_answer_stream``, the rendered answer as the final event) and for API clients
(``AnswerStreamApi``, the answer's JSON as the final event).

Same authorisation as the polling endpoint (``views.chat_answer``): only the conversation's owner
(user or session) may read it; anyone else gets a 404. The page polls when this fails.
"""

from __future__ import annotations

import json

from django.http import Http404
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from activity import services as activity
from activity.services import Owner
from search.views import HtmxHttpRequest

from . import selectors
from .answer_events import answer_events, event_stream_response, last_event_id
from .api import _answer_payload
from .api import _session_key as _api_session
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


class EventStreamRenderer(BaseRenderer):
    """Lets DRF negotiate ``Accept: text/event-stream``; errors still render as JSON text."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class AnswerStreamApi(APIView):
    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        operation_id="conversation_answer_stream",
        summary="Stream an answer (Server-Sent Events)",
        description=(
            "The AI answer of a turn as it is written, as `text/event-stream`: `delta` events "
            '(`{"text": "..."}`; `id` = chunk index, resumable with `Last-Event-ID`) carry the summary '
            "in chunks, then one `final` event carries the stored answer in the shape of "
            "`GET /api/conversation/messages/{id}/answer`. A stream that is still pending after "
            "ANSWER_STREAM_MAX_SECONDS ends with a `timeout` event: poll the answer URL then. "
            "Comment lines are heartbeats. Only the conversation's owner may read it (404 otherwise)."
        ),
        responses={(200, "text/event-stream"): OpenApiTypes.STR, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, message_id: int):
        try:
            message = selectors.message_get(message_id=message_id, user=request.user, session_key=_api_session(request))
        except Message.DoesNotExist as exc:
            raise NotFound() from exc
        if message.answer_status == Message.AnswerStatus.NONE:
            raise NotFound("This message has no answer to stream.")
        events = answer_events(
            message=message, final_payload=_answer_payload, after_id=last_event_id(request.headers.get("Last-Event-ID"))
        )
        return event_stream_response(events)
