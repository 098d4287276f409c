"""The producer side of a streamed answer: the summary as it is written, chunk by chunk.

Whoever writes an answer (the Celery task, or an eager task in-process) appends chunks of the
summary to a short-lived log in the shared cache, keyed by the message id; the SSE view
(``conversation.answer_events``) tails that log and sends each new chunk to the browser until
the message's stored answer is final. The stored answer (``Message.answer_data``) stays the
single source of truth: the log is only a preview and expires on its own.

A model's raw output can be plugged in as an iterator of text deltas (``grounded_sentences``):
the summary is pulled out of the JSON the prompt asks for as it arrives, and only complete
sentences that pass the grounding check are published, so a user never sees, even briefly,
a sentence naming a dataset that is not in the results.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .grounding import (
    _SENTENCE_SPLIT_RE,
    SUMMARY_MAX_SENTENCES,
    _Allowed,
    _resolve_refs,
    _sentences,
    sentence_is_grounded,
)

logger = logging.getLogger(__name__)

_KEY = "answer-stream:{}"


def _key(message_id: int) -> str:
    return _KEY.format(int(message_id))


@dataclass(frozen=True)
class StreamSnapshot:
    chunks: tuple[str, ...] = ()
    done: bool = False


def stream_read(*, message_id: int) -> StreamSnapshot:
    """What has been written so far (empty when nothing was, the log expired or the cache is down)."""
    try:
        raw = cache.get(_key(message_id))
    except Exception:  # the stream is a preview: a cache outage degrades it to "final only"
        logger.warning("answer stream %s: cache read failed", message_id, exc_info=True)
        return StreamSnapshot()
    if not isinstance(raw, dict):
        return StreamSnapshot()
    chunks = raw.get("chunks")
    if not isinstance(chunks, list):
        chunks = []
    return StreamSnapshot(chunks=tuple(str(c) for c in chunks), done=bool(raw.get("done")))


class StreamWriter:
    """Appends summary chunks for one message. Single writer per message (the answer task).

    Each ``write`` stores the whole chunk list (answers are a few hundred characters), so a
    reader never sees a torn update. Cache failures are logged and ignored: the answer itself
    is stored in the database regardless.
    """

    def __init__(self, *, message_id: int, pace_seconds: float = 0.0):
        self.message_id = message_id
        self.pace_seconds = max(0.0, pace_seconds)
        self.chunks: list[str] = []
        self.done = False
        self._save()  # a fresh log: a stale one from an earlier attempt is replaced

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def write(self, chunk: str, *, paced: bool = True) -> None:
        if not chunk:
            return
        if paced and self.chunks and self.pace_seconds:
            # A display choice for instant writers (the built-in responder on a worker): the
            # reader sees the summary being written rather than all at once.
            time.sleep(self.pace_seconds)
        self.chunks.append(chunk)
        self._save()

    def write_sentences(self, sentences: Iterable[str], *, paced: bool = True) -> None:
        """Publish sentences as chunks that concatenate to the summary (single spaces between).

        ``paced=False`` for a writer that is slow by nature (a model streaming its reply)."""
        for sentence in sentences:
            sentence = sentence.strip()
            if sentence:
                self.write(sentence if not self.chunks else " " + sentence, paced=paced)

    def close(self) -> None:
        self.done = True
        self._save()

    def _save(self) -> None:
        try:
            cache.set(
                _key(self.message_id),
                {"chunks": self.chunks, "done": self.done},
                timeout=settings.ANSWER_STREAM_TTL_SECONDS,
            )
        except Exception:
            logger.warning("answer stream %s: cache write failed", self.message_id, exc_info=True)


class SummaryExtractor:
    """Incrementally decodes the ``"summary"`` string of a JSON reply as its deltas arrive.

    The prompt asks for ``{"summary": "...", "picks": [...]}``; a reply that does not start like
    JSON (after an optional code fence) is plain text and passes through as it is.
    """

    _FIELD = '"summary"'

    def __init__(self) -> None:
        self.raw = ""
        self._mode = "detect"  # detect → seek → string → after | plain
        self._pos = 0
        self._escape = ""

    def feed(self, delta: str) -> str:
        """The summary text this delta adds (possibly empty)."""
        self.raw += delta
        out: list[str] = []
        while True:
            if self._mode == "detect":
                head = self.raw.lstrip()
                if len(head) < 3 and "```".startswith(head):
                    return ""  # maybe the start of a code fence
                if head.startswith("```"):
                    newline = head.find("\n")
                    if newline == -1:
                        return ""
                    head = head[newline + 1 :].lstrip()
                if not head:
                    return ""
                self._mode = "seek" if head.startswith("{") else "plain"
                self._pos = len(self.raw) - len(head)
            elif self._mode == "plain":
                text, self._pos = self.raw[self._pos :], len(self.raw)
                return text
            elif self._mode == "seek":
                field = self.raw.find(self._FIELD, self._pos)
                if field == -1:
                    return ""
                quote = self.raw.find('"', field + len(self._FIELD))
                colon = self.raw.find(":", field + len(self._FIELD))
                if quote == -1 or colon == -1 or colon > quote:
                    return ""
                self._pos, self._mode = quote + 1, "string"
            elif self._mode == "string":
                return self._string(out)
            else:
                return ""

    def _string(self, out: list[str]) -> str:
        raw = self.raw
        while self._pos < len(raw):
            char = raw[self._pos]
            if self._escape or char == "\\":
                self._escape += char
                self._pos += 1
                decoded = self._decode_escape()
                if decoded is not None:
                    out.append(decoded)
                continue
            if char == '"':
                self._mode = "after"
                self._pos += 1
                break
            out.append(char)
            self._pos += 1
        return "".join(out)

    def _decode_escape(self) -> str | None:
        """A complete escape sequence decoded, or None while it is still partial."""
        sequence = self._escape
        if len(sequence) < 2:
            return None
        if sequence[1] == "u" and len(sequence) < 6:
            return None
        self._escape = ""
        try:
            return json.loads(f'"{sequence}"')
        except ValueError:
            return ""


def grounded_sentences(deltas: Iterable[str], *, results: list[dict]) -> Iterator[str]:
    """Complete, grounded summary sentences from a model's raw output deltas, as soon as each ends.

    A sentence is final once the next one has begun (or the output ended). Sentences that fail
    the grounding check are dropped, citations ``[n]`` become the result's title, and at most
    SUMMARY_MAX_SENTENCES are yielded — the same rules ``grounding.answer_from_model`` applies
    to the whole reply, which stays the authority for the stored answer.
    """
    allowed = _Allowed(results)
    extractor = SummaryExtractor()
    pending, sent = "", 0

    def grounded(text: str) -> Iterator[str]:
        nonlocal sent
        for sentence in _sentences(text):
            if sent >= SUMMARY_MAX_SENTENCES:
                return
            if sentence_is_grounded(sentence, allowed):
                sent += 1
                yield _resolve_refs(sentence, results)

    for delta in deltas:
        pending += extractor.feed(delta)
        boundaries = list(_SENTENCE_SPLIT_RE.finditer(pending))
        if boundaries:
            # Everything before the last boundary is complete; the rest may still grow.
            last = boundaries[-1]
            complete, pending = pending[: last.start()], pending[last.end() :]
            yield from grounded(complete)
    yield from grounded(pending)
