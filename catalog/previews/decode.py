"""What a downloaded file is (by its bytes, not by what the server says) and its text as UTF-8.

Formats are told by content: ZIP (an XLSX workbook), ``PAR1`` (Parquet), the old Office container
(refused), otherwise text: JSON when it opens with ``{`` or ``[`` (GeoJSON when it says so), else
delimited text (TSV when tabs outnumber commas in its first line). A web page or binary data is refused.

Encodings: a byte-order mark decides (UTF-8, UTF-16); UTF-16 without one is recognised by its zero
bytes; otherwise UTF-8 when the bytes are valid UTF-8, else Windows-1252 (Latin-1 for the five bytes it
leaves undefined). The preview notes any encoding other than UTF-8 and any replaced bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from catalog.previews.fetch import Unavailable

HEAD_BYTES = 64 * 1024
CHUNK = 1024 * 1024
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin-1": "Latin-1",
}
HTML_STARTS = ("<!doctype html", "<html", "<head", "<body", "<!--")


@dataclass
class Sniffed:
    kind: str  # CSV, TSV, JSON, GEOJSON, XLSX, PARQUET
    encoding: str = ""  # a Python codec name, for text
    notes: list[str] = field(default_factory=list)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _text_encoding(head: bytes, charset: str) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        odd_zeros = sample[1::2].count(0)
        return "utf-16-le" if odd_zeros > sample[0::2].count(0) else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if charset and charset not in ("utf-8", "utf8"):
        try:
            codecs.lookup(charset)
            head.decode(charset)
            return codecs.lookup(charset).name
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _codec_name(charset: str) -> str:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return charset


def sniff(path: Path, *, declared_format: str, charset: str = "") -> Sniffed:
    """The file's kind and text encoding, from its first bytes. Raises Unavailable for what is not data."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        raise Unavailable("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return Sniffed("XLSX")
    if head.startswith(b"PAR1"):
        return Sniffed("PARQUET")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unavailable("an old-style Excel (XLS) or Office file, which is not previewed")
    encoding = _text_encoding(head, charset)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:15].lower().startswith(HTML_STARTS):
        raise Unavailable("the link leads to a web page (HTML), not a data file")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(8, len(text[:8192]) // 50) or text[:8192].count("\ufffd") > len(text[:8192]) // 10 + 8:
        raise Unavailable("binary content, not a data file this preview can read")
    notes = []
    if encoding not in ("utf-8", "utf-8-sig"):
        label = ENCODING_LABELS.get(encoding, encoding)
        said = f" (the server said {charset})" if charset and _codec_name(charset) != encoding else ""
        notes.append(f"Decoded as {label}{said}.")
    if stripped[:1] in ("{", "["):
        geo = declared_format == "GEOJSON" or '"FeatureCollection"' in text[:4096] or '"Feature"' in text[:4096]
        return Sniffed("GEOJSON" if geo else "JSON", encoding, notes)
    first_line = stripped.split("\n", 1)[0]
    tsv = declared_format == "TSV" or first_line.count("\t") > first_line.count(",")
    return Sniffed("TSV" if tsv else "CSV", encoding, notes)


def to_utf8(source: Path, target: Path, *, encoding: str, truncated: bool, kind: str, max_bytes: int) -> list[str]:
    """Write ``source`` as UTF-8 into ``target``; a cut delimited file loses its partial last line.

    Returns notes (replaced bytes). Raises Unavailable for a cut JSON document or a cut file without
    one complete line."""
    if truncated and kind in ("JSON", "GEOJSON"):
        raise Unavailable(
            f"the JSON file is larger than {_megabytes(max_bytes)}; a partial JSON document cannot be read"
        )
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    replaced = 0
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as out:
        first = True
        carry = ""
        while True:
            chunk = src.read(CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if first:
                text = text.lstrip("\ufeff")
                first = False
            replaced += text.count("\ufffd")
            if truncated:
                # Keep what follows the last newline until more text (or the end) tells where the line ends.
                text = carry + text
                cut = text.rfind("\n")
                carry = text[cut + 1 :] if cut >= 0 else text
                text = text[: cut + 1] if cut >= 0 else ""
            out.write(text)
            if not chunk:
                break
        if truncated and out.tell() == 0:
            raise Unavailable(f"no complete line in the first {_megabytes(max_bytes)} (one line is longer than that)")
    return [f"{replaced} undecodable bytes were replaced."] if replaced else []
