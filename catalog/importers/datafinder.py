"""Research datasets from the DataFinder benchmark corpus (``corpus.jsonl``, Papers with Code records).

One JSON object per line: ``id`` (opaque: spaces, ``/`` and non-ASCII allowed), ``name``,
``description`` (markdown with a trailing "Source: [paper](link)" line), ``variants``
(alternative names) and ``source_paper_title``. Source ``paperswithcode``; external_id = ``id``;
variants and the paper go to ``extra`` (``extra.variants`` feeds search's extra names).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import base
from .base import DatasetRecord, ParseResult, RecordError, RecordInvalid, SourceData

ORIGIN = "datafinder"
SOURCE = SourceData(
    slug="paperswithcode", name="Papers with Code", homepage="https://paperswithcode.com/datasets", kind="research"
)
LICENSE = "See the dataset's own terms (metadata: DataFinder, Apache-2.0)"
_SOURCE_LINE = re.compile(r"\s*Source:\s*\[(?P<title>[^\]]*)\]\((?P<link>[^)]*)\)\s*$")


def sniff(head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("{") and '"variants"' in first and '"id"' in first


def parse(path: Path) -> ParseResult:
    records: list[DatasetRecord] = []
    errors: list[RecordError] = []
    lines = base.read_text(path).split("\n")  # not splitlines(): descriptions contain U+2028
    parsed_any = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        ref = f"line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            first_record = not parsed_any and not errors
            cut_off = number == len(lines) and not line.rstrip().endswith("}")
            if first_record or cut_off:  # not this format at all, or a file truncated mid-record
                raise base.ImportFormatError(
                    f"{path.name}: not valid datafinder JSONL ({exc.msg}: line {number} column {exc.colno})"
                ) from None
            errors.append(RecordError(ref, f"not valid JSON ({exc.msg})"))
            continue
        parsed_any = True
        try:
            if not isinstance(raw, dict):
                raise RecordInvalid(f"wrong type: expected an object, got {type(raw).__name__}")
            ext_id = base.identifier(raw.get("id"), "id")
            ref = f"{ref} ({ext_id})"
            records.append(_record(raw, ext_id, ref))
        except RecordInvalid as exc:
            errors.append(RecordError(ref, str(exc)))
    if not parsed_any and not errors:
        raise base.ImportFormatError(f"{path.name}: empty datafinder JSONL")
    return ParseResult(ORIGIN, records, errors)


def _record(raw: dict, ext_id: str, ref: str) -> DatasetRecord:
    name = base.title(raw.get("name") or ext_id, "name")
    description = base.text(raw.get("description"), "description")
    extra: dict = {"description_source": "dataset" if description else ""}
    match = _SOURCE_LINE.search(description)
    if match:
        link = match.group("link")
        if link.startswith("/"):
            link = "https://paperswithcode.com" + link
        extra["paper_url"] = link
        description = description[: match.start()].rstrip()
    variants = [v for v in base.string_list(raw.get("variants"), "variants", split=None) if v != name]
    if variants:
        extra["variants"] = variants
    paper = base.text(raw.get("source_paper_title"), "source_paper_title")
    if paper:
        extra["source_paper_title"] = paper
    return DatasetRecord(
        source=SOURCE,
        external_id=ext_id,
        ref=ref,
        title=name,
        description=description,
        license=LICENSE,
        extra=extra,
    )
