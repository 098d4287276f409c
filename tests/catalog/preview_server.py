"""A local file server for the preview tests and bench: real files in every previewed format, hostile
ones, and data.gov.sg's download API (initiate-download, then poll-download returning a signed file URL).

Routes (``server.base_url + path``):
  /files/<name>            the files of ``good_files()`` / ``hostile_files()`` with their content types
  /gzip/<name>             the same file sent with ``Content-Encoding: gzip``
  /bomb.csv                a gzip bomb: ``BOMB_BYTES`` of commas behind ``Content-Encoding: gzip``
  /bomb.csv.gz             the same bomb as a .gz file
  /long-line.csv           one 50 MB line, streamed
  /drip.csv                a CSV header, then one byte every ``drip_seconds`` for ever
  /stall.csv               headers, then nothing for ``stall_seconds``
  /loop                    302 to itself; /loop-a <-> /loop-b
  /busy.csv                HTTP 429
  /v1/public/api/datasets/<id>/initiate-download, /poll-download   data.gov.sg's download API: <id> is a
                           file name of ``good_files()``; poll says DOWNLOAD_IN_PROGRESS ``polls_before_ready``
                           times, then gives /signed/<id>?X-Amz-Signature=... ; an unknown id gets an error
"""

from __future__ import annotations

import csv
import functools
import gzip
import http.server
import io
import json
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

BOMB_BYTES = 1024 * 1024 * 1024  # 1 GiB of commas, about 1 MB compressed
LONG_LINE_BYTES = 50 * 1024 * 1024

RESALE = [
    ("month", "town", "flat_type", "floor_area_sqm", "resale_price", "postalCode"),
    ("2017-01", "ANG MO KIO", "2 ROOM", 44.0, 232000, "560406"),
    ("2017-01", "ANG MO KIO", "3 ROOM", 67.0, 250000, "560108"),
    ("2017-02", "BEDOK", "3 ROOM", 67.0, 262000, ""),
    ("2017-02", "BEDOK", "4 ROOM", 92.0, 380000, "460013"),
    ("2017-03", "TAMPINES", "5 ROOM", 118.0, 510000, "520257"),
]


def _csv(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _records() -> list[dict]:
    header, *rows = RESALE
    return [dict(zip(header, row, strict=True)) for row in rows]


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Resale"
    for row in RESALE:
        sheet.append(list(row))
    book.create_sheet("Notes").append(["Source: HDB"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _parquet() -> bytes:
    import tempfile

    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        src, target = Path(tmp) / "in.csv", Path(tmp) / "out.parquet"
        src.write_bytes(_csv(RESALE))
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_csv('{src}')) TO '{target}' (FORMAT parquet)")
        con.close()
        return target.read_bytes()


def _geojson() -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"Name": f"Park {i}", "postal_code": f"{520000 + i}", "area_ha": 1.5 * i},
            "geometry": {"type": "Point", "coordinates": [103.8 + i / 100, 1.35]},
        }
        for i in range(1, 8)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def good_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, content type) for files that preview well."""
    return {
        "resale.csv": (_csv(RESALE), "text/csv; charset=utf-8"),
        "resale.tsv": (_csv(RESALE, "\t"), "text/tab-separated-values"),
        "resale.json": (json.dumps(_records()).encode(), "application/json"),
        "parks.geojson": (_geojson(), "application/geo+json"),
        "resale.xlsx": (_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "resale.parquet": (_parquet(), "application/octet-stream"),
        "resale.csv.gz": (gzip.compress(_csv(RESALE)), "application/gzip"),
        "latin1.csv": ("name,town\nJosé,Café Street\nRenée,Bras Basah\n".encode("latin-1"), "text/csv; charset=utf-8"),
        "utf16.csv": ("name,town\n李,Ang Mo Kio\nJosé,Bedok\n".encode("utf-16"), "text/csv"),
    }


def hostile_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, content type) for files that must end unavailable."""
    return {
        "html-as.csv": (
            b"<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>",
            "text/csv",
        ),
        "page.csv": (b"name,town\nA,B\n", "text/html; charset=utf-8"),
        "binary.csv": (bytes(range(256)) * 64, "text/csv"),
        "empty.csv": (b"", "text/csv"),
        "truncated.xlsx": (_xlsx()[:200], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "object.json": (b'{"a": {"b": 1}}', "application/json"),
    }


@functools.cache
def _bomb() -> bytes:
    # Gzip members may follow one another: one 16 MiB member repeated makes the whole bomb quickly.
    member = gzip.compress(b"," * (16 * 1024 * 1024), compresslevel=9)
    return member * (BOMB_BYTES // (16 * 1024 * 1024))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, code: int, body: bytes = b"", ctype: str = "text/plain", headers: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        server: PreviewServer = self.server.owner  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        server.hits[path] += 1
        files = server.files
        try:
            if path.startswith("/files/") and path[7:] in files:
                body, ctype = files[path[7:]]
                return self._send(200, body, ctype, {"ETag": f'"{len(body)}"'})
            if path.startswith("/gzip/") and path[6:] in files:
                body, ctype = files[path[6:]]
                return self._send(200, gzip.compress(body), ctype, {"Content-Encoding": "gzip"})
            if path == "/bomb.csv":
                return self._send(200, server.bomb, "text/csv", {"Content-Encoding": "gzip"})
            if path == "/bomb.csv.gz":
                return self._send(200, server.bomb, "application/gzip")
            if path == "/long-line.csv":
                return self._long_line()
            if path == "/drip.csv":
                return self._drip(server.drip_seconds)
            if path == "/stall.csv":
                time.sleep(server.stall_seconds)
                return self._send(200, b"a,b\n1,2\n", "text/csv")
            if path == "/busy.csv":
                return self._send(429, b"Too Many Requests", headers={"Retry-After": "60"})
            if path == "/loop":
                return self._send(302, headers={"Location": "/loop"})
            if path in ("/loop-a", "/loop-b"):
                return self._send(302, headers={"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
            if path.startswith("/signed/") and path[8:] in files and "X-Amz-Signature" in self.path:
                body, ctype = files[path[8:]]
                return self._send(200, body, ctype)
            if path.startswith("/v1/public/api/datasets/"):
                return self._datagovsg(server, path)
            self._send(404, b"not found")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: expected for capped and deadline-cut downloads

    def _long_line(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(LONG_LINE_BYTES))
        self.end_headers()
        chunk = b"x," * (512 * 1024)
        for _ in range(LONG_LINE_BYTES // len(chunk)):
            self.wfile.write(chunk)

    def _drip(self, seconds: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()  # no length: the body never ends
        self.wfile.write(b"a,b\n")
        self.wfile.flush()
        while True:
            time.sleep(seconds)
            self.wfile.write(b"1")
            self.wfile.flush()

    def _datagovsg(self, server: PreviewServer, path: str) -> None:
        parts = path.split("/")
        dataset_id, action = parts[-2], parts[-1]
        if dataset_id not in server.files:
            return self._send(200, json.dumps({"code": 1, "data": None, "errorMsg": "Dataset not found"}).encode(),
                              "application/json")  # fmt: skip
        if action == "initiate-download":
            server.polls[dataset_id] = 0
            body = {"code": 0, "data": {"message": "Download successfully initiated. Proceed to poll download"}}
        elif action == "poll-download":
            server.polls[dataset_id] += 1
            if server.polls[dataset_id] <= server.polls_before_ready:
                body = {"code": 0, "data": {"status": "DOWNLOAD_IN_PROGRESS"}}
            else:
                url = f"{server.base_url}/signed/{dataset_id}?X-Amz-Expires=60&X-Amz-Signature=abc123"
                body = {"code": 0, "data": {"status": "DOWNLOAD_SUCCESS", "url": url}}
        else:
            return self._send(404, b"{}", "application/json")
        self._send(200, json.dumps(body | {"errorMsg": ""}).encode(), "application/json")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):  # clients hanging up mid-body are expected
        pass


class PreviewServer:
    def __init__(self, *, drip_seconds: float = 0.2, stall_seconds: float = 5.0, polls_before_ready: int = 1):
        self.files = good_files() | hostile_files()
        self.bomb = _bomb()
        self.drip_seconds = drip_seconds
        self.stall_seconds = stall_seconds
        self.polls_before_ready = polls_before_ready
        self.polls: dict[str, int] = defaultdict(int)
        self.hits: dict[str, int] = defaultdict(int)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.owner = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
