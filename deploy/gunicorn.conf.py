"""gunicorn configuration for production (``gunicorn -c deploy/gunicorn.conf.py research_assistant.wsgi``).

Every value can be overridden from the environment (GUNICORN_* / WEB_CONCURRENCY / PORT).

Graceful stop: on SIGTERM the master stops accepting connections and gives workers
``graceful_timeout`` seconds to finish in-flight requests before killing them; the systemd unit
(deploy/research-assistant-web.service) waits longer than that (TimeoutStopSec).

Metrics: several workers need prometheus-client's multi-process mode. PROMETHEUS_MULTIPROC_DIR
defaults to $DATA_DIR/prometheus (var/prometheus) here, set before the app is imported; give the
Celery worker the same value so its task metrics are scraped too. Files of processes that are
gone are removed on start, and a dead worker's live gauges on ``child_exit``.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Each worker loads the embedding model (~100 MB) on first search: keep the count modest.
workers = _int("WEB_CONCURRENCY", max(2, min(4, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 60)  # a worker silent this long is killed and replaced
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # in-flight requests finish within this on SIGTERM
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers to bound memory growth, rarely and far apart: a recycled worker serves nothing until its
# replacement has warmed up (model, index, router: seconds), and with 1000 +- 100 requests every worker
# (evenly loaded) recycled within the same second, so no worker accepted for that long (the load bench's
# p99 of 8-30 s). Half of max_requests as jitter spreads the recycles over thousands of requests.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 2)
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# gunicorn's control socket (gunicornc) defaults to one path per user; several instances on a host
# would fight over it. Off unless GUNICORN_CONTROL_SOCKET names a path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
preload_app = False  # the app opens DB/Redis connections and may load torch: do it per worker
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr (journald / the platform collects them). The access log omits the query
# string (%(U)s is the path only): queries and tokens in URLs stay out of the logs.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
# Same format choice as the Django settings: JSON in production (or LOG_FORMAT=json).
_log_format = os.environ.get("LOG_FORMAT") or ("json" if os.environ.get("DJANGO_ENV") == "production" else "text")
if _log_format == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }

# --- one BLAS/OpenMP thread per worker: several workers share the cores, and the index's matrix
# products are small; measured at 100k datasets this halves search latency under load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# --- prometheus-client multi-process mode (must be decided before the app imports it) ---
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
    Path(os.environ.get("DATA_DIR") or _ROOT / "var") / "prometheus"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir
raw_env = [f"PROMETHEUS_MULTIPROC_DIR={_metrics_dir}"]


def on_starting(server):
    os.makedirs(_metrics_dir, exist_ok=True)
    from ops.metrics import clean_stale_files

    removed = clean_stale_files(_metrics_dir)
    server.log.info("prometheus multiprocess dir %s (%d stale files removed)", _metrics_dir, removed)


def child_exit(server, worker):
    from ops.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def worker_int(worker):
    worker.log.info("worker %s interrupted", worker.pid)
