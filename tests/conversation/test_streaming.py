"""The producer side of streamed answers: the chunk log, the JSON summary extractor, grounded
sentences from a model's deltas, and answer_generate publishing as it writes."""

from __future__ import annotations

import json

import pytest

from conversation.answering import ModelStream, answer_generate
from conversation.streaming import StreamWriter, SummaryExtractor, grounded_sentences, stream_read
from tests.conversation.conftest import pending_answer


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_summary_extractor_decodes_the_summary_string_across_any_split(size):
    summary = 'Prices "by town" — café [1].\nSecond line with \\ and \u00e9.'
    reply = "```json\n" + json.dumps({"summary": summary, "picks": [{"ref": 1, "why": "x"}]}) + "\n```"
    extractor = SummaryExtractor()
    out = "".join(extractor.feed(piece) for piece in _pieces(reply, size))
    assert out == summary


def test_summary_extractor_passes_plain_text_through():
    extractor = SummaryExtractor()
    assert "".join(extractor.feed(p) for p in ["  Plain ", "answer. ", "More."]) == "Plain answer. More."


def test_summary_extractor_ignores_text_after_the_summary():
    extractor = SummaryExtractor()
    out = "".join(extractor.feed(p) for p in _pieces('{"picks": [], "summary": "One.", "note": "two"}', 4))
    assert out == "One."


def test_grounded_sentences_yield_each_sentence_once_it_ends_and_drop_ungrounded_ones(results, db):
    reply = json.dumps(
        {
            "summary": "The best fit is [1]. The “Global Weather Archive” dataset is better. "
            "It covers 2017 to 2024. Rentals are in [2].",
            "picks": [],
        }
    )
    seen_before_end: list[str] = []
    yielded: list[str] = []

    def deltas():
        for piece in _pieces(reply, 5):
            yield piece
            seen_before_end[:] = list(yielded)

    for sentence in grounded_sentences(deltas(), results=results):
        yielded.append(sentence)
    assert yielded == [
        "The best fit is “HDB Resale Flat Prices”.",
        "It covers 2017 to 2024.",
        "Rentals are in “HDB Rental Prices by Town”.",
    ]
    # streamed: the first sentences were out before the reply ended
    assert seen_before_end[:2] == yielded[:2]


def test_writer_publishes_chunks_that_readers_see(db):
    writer = StreamWriter(message_id=7)
    assert stream_read(message_id=7).chunks == ()
    writer.write_sentences(["First.", "Second."])
    snapshot = stream_read(message_id=7)
    assert snapshot.chunks == ("First.", " Second.") and not snapshot.done
    writer.close()
    assert stream_read(message_id=7).done
    assert stream_read(message_id=8).chunks == ()


def test_builtin_answer_is_published_sentence_by_sentence(results, db):
    message = pending_answer(results)
    assert answer_generate(message_id=message.pk)
    message.refresh_from_db()
    snapshot = stream_read(message_id=message.pk)
    assert snapshot.done
    assert len(snapshot.chunks) >= 3  # one chunk per sentence
    assert "".join(snapshot.chunks) == message.answer_data["summary"]
    assert message.answer_status == "ready" and message.answer_provider == "builtin"


def test_a_model_stream_plugs_in_and_its_grounded_sentences_are_published_as_they_end(
    results, db, settings, openai_server
):
    settings.LLM_PROVIDERS = ["openai"]
    message = pending_answer(results)
    reply = json.dumps(
        {
            "summary": "Start with [1], the full resale record. The “Global Weather Archive” is better. "
            "For rents, see [2].",
            "picks": [{"ref": 2, "why": "rents by town"}],
        }
    )
    published_while_streaming: list[tuple[str, ...]] = []

    def opener(request):
        assert "hdb resale prices" in request.user

        def deltas():
            for piece in _pieces(reply, 6):
                published_while_streaming.append(stream_read(message_id=message.pk).chunks)
                yield piece

        return ModelStream(provider="openai:test-gpt", deltas=deltas())

    assert answer_generate(message_id=message.pk, model_stream=opener)
    message.refresh_from_db()
    chunks = stream_read(message_id=message.pk).chunks
    assert chunks == (
        "Start with “HDB Resale Flat Prices”, the full resale record.",
        " For rents, see “HDB Rental Prices by Town”.",
    )
    assert message.answer_data["summary"] == "".join(chunks)
    assert message.answer_provider == "openai:test-gpt"
    assert message.answer_data["picks"][0]["id"] == 102
    # the first sentence was out while the model was still writing
    assert chunks[:1] in published_while_streaming
    assert openai_server.requests == []  # the streamed reply was used; the chain was not asked


def test_a_failing_model_stream_falls_back_to_the_provider_chain_then_builtin(results, db, settings, fast_llm):
    settings.LLM_PROVIDERS = ["openai"]
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens: the chain fails too
    settings.OPENAI_API_KEY = "sk-test"
    message = pending_answer(results)

    def opener(request):
        def deltas():
            yield '{"summary": "Half a sen'
            raise ConnectionError("stream dropped")

        return ModelStream(provider="openai:test-gpt", deltas=deltas())

    assert answer_generate(message_id=message.pk, model_stream=opener)
    message.refresh_from_db()
    assert message.answer_provider == "builtin"
    assert stream_read(message_id=message.pk).done


def test_a_model_stream_that_outlives_the_deadline_is_cut_off(results, db, settings, fast_llm):
    settings.LLM_PROVIDERS = ["openai"]
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.OPENAI_API_KEY = "sk-test"
    message = pending_answer(results)
    closed = []

    def opener(request):
        def deltas():
            try:
                yield '{"summary": "Start with [1]. '
                import time

                time.sleep(0.3)
                yield 'And more."}'
            finally:
                closed.append(True)

        return ModelStream(provider="openai:test-gpt", deltas=deltas())

    assert answer_generate(message_id=message.pk, model_stream=opener, deadline_seconds=0.2)
    message.refresh_from_db()
    assert message.answer_provider == "builtin"
    assert closed == [True]
