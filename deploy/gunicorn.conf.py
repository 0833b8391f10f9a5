"""gunicorn settings for fgc: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.
Every value can be overridden from the environment (FGC_BIND, FGC_WORKERS, …)."""
import multiprocessing
import os

# Behind a reverse proxy (nginx, the municipality's load balancer) that terminates TLS.
bind = os.environ.get("FGC_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one database connection for its one transaction.
workers = int(os.environ.get("FGC_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("FGC_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never takes the service down.
max_requests = 2000
max_requests_jitter = 200
# Logs go to stdout/stderr: systemd's journal keeps them (journalctl -u fgc-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("FGC_LOG_LEVEL", "info")
# The proxy on this machine sets X-Forwarded-For/-Proto.
forwarded_allow_ips = os.environ.get("FGC_FORWARDED_ALLOW_IPS", "127.0.0.1")
