"""A local portal for the harvester tests: one threaded HTTP server speaking the CKAN action API,
the data.gov.sg v2 API, DCAT-AP (JSON-LD / Turtle, Hydra paging) and a CSV file, fed with the
recorded-shape responses in tests/data/harvest/. Tests change its state (add, edit, remove
records) and queue faults (HTTP 500/429, a stall past the client's timeout, malformed JSON, a
redirect) for requests whose path and query contain a given text."""

from __future__ import annotations

import copy
import hashlib
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parent.parent / "data" / "harvest"


def load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@dataclass
class Fault:
    match: str  # a substring of "path?query"
    action: str  # "500", "429", "stall", "malformed", "ckan_error", "redirect:<url>"
    times: int = 1


@dataclass
class PortalState:
    ckan_packages: list = field(default_factory=lambda: load("ckan_packages.json"))
    dgs_datasets: list = field(
        default_factory=lambda: (
            load("datagovsg_datasets_page1.json")["data"]["datasets"]
            + load("datagovsg_datasets_page2.json")["data"]["datasets"]
        )
    )
    dgs_collections: list = field(
        default_factory=lambda: load("datagovsg_collections_page1.json")["data"]["collections"]
    )
    dgs_page_size: int = 3  # as recorded: 3 datasets on page 1, 2 on page 2
    dcat_page1: str = field(default_factory=lambda: (DATA / "dcat_page1.jsonld").read_text(encoding="utf-8"))
    dcat_page2: str = field(default_factory=lambda: (DATA / "dcat_page2.ttl").read_text(encoding="utf-8"))
    csv: str = field(default_factory=lambda: (DATA / "catalog.csv").read_text(encoding="utf-8"))
    faults: list[Fault] = field(default_factory=list)
    stall_seconds: float = 2.0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path?query, headers)


class PortalHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    @property
    def state(self) -> PortalState:
        return self.server.state  # type: ignore[attr-defined]

    def _send(self, code: int, body: bytes = b"", ctype: str = "application/json", headers: dict | None = None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, data, code: int = 200) -> None:
        self._send(code, json.dumps(data).encode())

    def _fault(self, target: str) -> bool:
        with self.server.lock:  # type: ignore[attr-defined]
            fault = next((f for f in self.state.faults if f.match in target and f.times > 0), None)
            if fault is None:
                return False
            fault.times -= 1
        if fault.action == "500":
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif fault.action == "429":
            self._send(429, b'{"message": "Too Many Requests"}', headers={"Retry-After": "1"})
        elif fault.action == "stall":
            time.sleep(self.state.stall_seconds)
            self._send(504, b"late")
        elif fault.action == "malformed":
            self._send(200, b'{"help": "...", "success": true, "result": {"count": 5, "results": [{"id": ')
        elif fault.action == "ckan_error":  # CKAN answers a bad search with 200 and success: false
            self._send(200, (DATA / "ckan_error.json").read_bytes())
        elif fault.action.startswith("redirect:"):
            self._send(302, headers={"Location": fault.action.removeprefix("redirect:")})
        return True

    def do_GET(self):  # noqa: N802 - http.server's name
        target = self.path
        self.state.requests.append((target, dict(self.headers.items())))
        if self._fault(target):
            return
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/api/3/action/package_search":
            return self._ckan(query)
        if path.startswith("/v2/public/api/datasets/") and path.endswith("/metadata"):
            return self._datagovsg_metadata(path.split("/")[-2])
        if path in ("/v2/public/api/datasets", "/v2/public/api/collections"):
            return self._datagovsg(path.rsplit("/", 1)[-1], int(query.get("page", "1")))
        if path == "/dcat/catalog":
            return self._dcat(query.get("page", "1"))
        if path == "/contexts/dcat.jsonld":
            return self._send(200, (DATA / "dcat_context.jsonld").read_bytes(), "application/ld+json")
        if path == "/files/catalog.csv":
            return self._conditional(self.state.csv.encode(), "text/csv; charset=utf-8")
        self._send(404, b'{"error": "not found"}')

    def _conditional(self, body: bytes, ctype: str) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, headers={"ETag": etag})
        self._send(200, body, ctype, {"ETag": etag, "Last-Modified": "Sat, 01 Jun 2024 00:00:00 GMT"})

    def _ckan(self, query: dict[str, str]) -> None:
        packages = sorted(self.state.ckan_packages, key=lambda p: p["id"])
        fq = query.get("fq", "")
        if "metadata_modified:[" in fq:
            since = fq.split("metadata_modified:[", 1)[1].split(" TO ", 1)[0].rstrip("Z")
            packages = [p for p in packages if p["metadata_modified"] >= since[: len(p["metadata_modified"])]]
        rows, start = int(query.get("rows", "10")), int(query.get("start", "0"))
        envelope = copy.deepcopy(load("ckan_package_search_page1.json"))
        envelope["result"].update(count=len(packages), results=packages[start : start + rows])
        self._json(envelope)

    def _datagovsg(self, kind: str, page: int) -> None:
        items = self.state.dgs_datasets if kind == "datasets" else self.state.dgs_collections
        size = self.state.dgs_page_size if kind == "datasets" else max(1, len(items))
        pages = max(1, -(-len(items) // size))
        if page < 1 or page > pages:
            return self._json({"code": 0, "data": {kind: [], "pages": pages}, "errorMsg": ""})
        chunk = items[(page - 1) * size : page * size]
        self._json({"code": 0, "data": {kind: chunk, "pages": pages}, "errorMsg": ""})

    def _datagovsg_metadata(self, dataset_id: str) -> None:
        listed = next((d for d in self.state.dgs_datasets if d["datasetId"] == dataset_id), None)
        if listed is None:
            return self._json({"code": 404, "data": None, "errorMsg": "Dataset not found"}, 404)
        recorded = load("datagovsg_metadata.json")
        data = recorded["data"] if dataset_id == recorded["data"]["datasetId"] else dict(listed)
        data.setdefault("description", f"About {listed['name']}.")
        self._json({"code": 0, "data": data | {"lastUpdatedAt": listed["lastUpdatedAt"]}, "errorMsg": ""})

    def _dcat(self, page: str) -> None:
        base = f"http://{self.headers.get('Host')}/dcat/catalog"
        if page == "1":
            body = self.state.dcat_page1.replace("NEXT_PAGE_URL", f"{base}?page=2")
            return self._conditional(body.encode(), "application/ld+json")
        self._conditional(self.state.dcat_page2.encode(), "text/turtle")


class Portal:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.state = PortalState()
        self.server = http.server.ThreadingHTTPServer((host, 0), PortalHandler)
        self.server.daemon_threads = True
        self.server.state = self.state  # type: ignore[attr-defined]
        self.server.lock = threading.Lock()  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def fail(self, match: str, action: str, times: int = 1) -> None:
        self.state.faults.append(Fault(match, action, times))

    def paths(self, contains: str = "") -> list[str]:
        return [p for p, _ in self.state.requests if contains in p]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
