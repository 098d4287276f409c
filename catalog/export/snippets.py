"""Code that fetches a dataset: curl, Python (pandas or httpx) and R, per distribution, and the
data.gov.sg download API flow for that portal's datasets.

Catalog values never reach the code unquoted: URLs are reduced to ASCII (percent-encoding the
rest), then written as a shell word with ``shlex.quote`` and as Python / R string literals with
``json.dumps`` (valid in both languages once ASCII); a file name is cut to ``[A-Za-z0-9._-]``; no
catalog text appears anywhere else (not even in comments, where a line break would end it).

data.gov.sg, as its developer guide documents it: ``GET https://api-open.data.gov.sg/v1/public/api/
datasets/{datasetId}/initiate-download`` (CSV datasets; other formats skip it) then
``.../poll-download`` until ``data.url`` holds the file's temporary address; rows can also be read
from ``GET https://data.gov.sg/api/action/datastore_search?resource_id={datasetId}``. Five requests
a minute without an API key (``x-api-key`` header).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import asdict, dataclass, field
from urllib.parse import quote, urlsplit

from catalog.models import Dataset

from .common import http_url

DATAGOVSG_ID = re.compile(r"^d_[0-9a-f]{32}$")
DOWNLOAD_API = "https://api-open.data.gov.sg/v1/public/api/datasets/"
DATASTORE_API = "https://data.gov.sg/api/action/datastore_search"
_SAFE_URL_CHARS = ":/?#[]@!$&'()*+,;=%~-._"
_PANDAS = {
    "CSV": "pd.read_csv({url})",
    "TSV": 'pd.read_csv({url}, sep="\\t")',
    "XLSX": "pd.read_excel({url})",
    "XLS": "pd.read_excel({url})",
    "JSON": "pd.read_json({url})",
    "PARQUET": "pd.read_parquet({url})",
}
_R = {
    "CSV": "df <- read.csv({url})",
    "TSV": "df <- read.delim({url})",
    "JSON": "df <- jsonlite::fromJSON({url})",
}


@dataclass
class Snippet:
    label: str  # "curl", "Python (pandas)", "R"
    language: str  # "shell", "python", "r": the code block's language
    code: str


@dataclass
class SnippetGroup:
    title: str  # our words ("CSV file 1", "data.gov.sg API"), never catalog text
    format: str
    url: str
    snippets: list[Snippet] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def ascii_url(url: str) -> str:
    """The URL with every character outside printable ASCII URL syntax percent-encoded."""
    return quote(url, safe=_SAFE_URL_CHARS)


def literal(value: str) -> str:
    """A double-quoted string literal valid in Python and in R (ASCII, escapes shared by both)."""
    return json.dumps(value, ensure_ascii=True)


def file_name(url: str, fmt: str, index: int) -> str:
    tail = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", tail).strip("._")[:80]
    if not name or "." not in name:
        name = f"data-{index}.{(re.sub(r'[^a-z0-9]+', '', fmt.lower()) or 'bin')[:10]}"
    return name


def _file_snippets(url: str, fmt: str, index: int) -> list[Snippet]:
    url = ascii_url(url)
    name = file_name(url, fmt, index)
    fmt = (fmt or "").upper()
    curl = f"curl -fL -o {shlex.quote(name)} {shlex.quote(url)}"
    if fmt in _PANDAS:
        python = Snippet(
            "Python (pandas)",
            "python",
            f"import pandas as pd\n\ndf = {_PANDAS[fmt].format(url=literal(url))}\nprint(df.head())",
        )
    else:
        python = Snippet(
            "Python (httpx)",
            "python",
            "import httpx\n\n"
            f"response = httpx.get({literal(url)}, follow_redirects=True, timeout=60)\n"
            "response.raise_for_status()\n"
            f'with open({literal(name)}, "wb") as fh:\n'
            "    fh.write(response.content)",
        )
    if fmt in _R:
        r_code = f"{_R[fmt].format(url=literal(url))}\nhead(df)"
    elif fmt in ("XLSX", "XLS"):
        r_code = (
            f'download.file({literal(url)}, {literal(name)}, mode = "wb")\n'
            f"df <- readxl::read_excel({literal(name)})\nhead(df)"
        )
    else:
        r_code = f'download.file({literal(url)}, {literal(name)}, mode = "wb")'
    return [Snippet("curl", "shell", curl), python, Snippet("R", "r", r_code)]


def _datagovsg_snippets(dataset_id: str, formats: list[str]) -> SnippetGroup:
    """``dataset_id`` matched DATAGOVSG_ID (so it needs no quoting, but is quoted anyway)."""
    base = DOWNLOAD_API + dataset_id
    csv = not formats or "CSV" in formats
    initiate = f"{base}/initiate-download"
    poll = f"{base}/poll-download"
    rows = f"{DATASTORE_API}?resource_id={dataset_id}&limit=5"
    shell = ["# data.gov.sg download API: start the export, then poll until data.url is set"]
    if csv:
        shell.append(f"curl -s {shlex.quote(initiate)}")
    shell.append(f"curl -s {shlex.quote(poll)}")
    if csv:
        shell += ["# or read the first rows with the datastore search API", f"curl -s {shlex.quote(rows)}"]
    reader = (
        'df = pd.read_csv(data["url"])\nprint(df.head())'
        if csv
        else ('file = httpx.get(data["url"], follow_redirects=True, timeout=120)\nfile.raise_for_status()')
    )
    python = [
        "import time\n",
        "import httpx",
        *(["import pandas as pd"] if csv else []),
        "",
        f"base = {literal(base)}",
        *(['httpx.get(base + "/initiate-download", timeout=30).raise_for_status()'] if csv else []),
        "for _ in range(20):  # the export takes a few seconds; 5 requests a minute without an API key",
        '    data = httpx.get(base + "/poll-download", timeout=30).json()["data"]',
        '    if data.get("url"):',
        "        break",
        "    time.sleep(12)",
        reader,
    ]
    r_lines = [
        "library(jsonlite)",
        f"base <- {literal(base)}",
        *(['invisible(fromJSON(paste0(base, "/initiate-download")))'] if csv else []),
        "for (i in 1:20) {",
        '  poll <- fromJSON(paste0(base, "/poll-download"))',
        "  if (!is.null(poll$data$url)) break",
        "  Sys.sleep(12)",
        "}",
        *(["df <- read.csv(poll$data$url)", "head(df)"] if csv else
          ['download.file(poll$data$url, "data.download", mode = "wb")']),
    ]  # fmt: skip
    return SnippetGroup(
        title="data.gov.sg API",
        format="CSV" if csv else (formats[0] if formats else ""),
        url=poll,
        snippets=[
            Snippet("curl", "shell", "\n".join(shell)),
            Snippet("Python (httpx + pandas)" if csv else "Python (httpx)", "python", "\n".join(python)),
            Snippet("R", "r", "\n".join(r_lines)),
        ],
    )


def datagovsg_id(dataset: Dataset) -> str:
    """The data.gov.sg dataset id when the dataset is one of that portal's (else "")."""
    host = (urlsplit(dataset.landing_url or "").hostname or "").lower()
    from_portal = dataset.source.slug == "datagovsg" or host in ("data.gov.sg", "beta.data.gov.sg")
    return dataset.external_id if from_portal and DATAGOVSG_ID.match(dataset.external_id) else ""


def dataset_snippets(dataset: Dataset) -> list[SnippetGroup]:
    """Snippet groups: the portal's API for data.gov.sg datasets (their distribution links are
    portal pages, not files), else one group per distribution with an http(s) URL."""
    portal_id = datagovsg_id(dataset)
    if portal_id:
        return [_datagovsg_snippets(portal_id, [str(f).upper() for f in dataset.formats or []])]
    groups = []
    counts: dict[str, int] = {}
    for index, dist in enumerate(dataset.distributions.all(), start=1):
        url = http_url(dist.url)
        if not url:
            continue
        fmt = (dist.format or "").upper()
        label = re.sub(r"[^A-Z0-9-]+", "", fmt)[:20] or "File"
        counts[label] = counts.get(label, 0) + 1
        title = f"{label} file" + (f" {counts[label]}" if counts[label] > 1 else "")
        groups.append(SnippetGroup(title=title, format=fmt, url=url, snippets=_file_snippets(url, fmt, index)))
    return groups
