# make run   – serve the app with demo data on http://$(HOST):$(PORT)
# make test  – install what the tests need and run every test
VENV    ?= .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app wsgi
HOST    ?= 127.0.0.1
PORT    ?= 5000
SMTP_PORT ?= 8025
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The make targets are for development; production runs gunicorn (see README).
export FGC_ENV ?= development

.PHONY: run test bench install assets browser translations migrate postgres test-sqlite test-postgres clean

# Python 3.12 or newer: under load, gunicorn workers on CPython 3.11 died with SIGSEGV in
# the garbage collector (README, "Python version"). The newest interpreter found is used;
# pyenv's versions are looked up directly, since its shims answer only for the active one.
PYTHON_CANDIDATES = $(foreach v,3.14 3.13 3.12,python$(v) \
	$(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(v)*/bin/python$(v))) python3
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 12))

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PY) -c '$(NEW_ENOUGH)' 2>/dev/null || { \
	  rm -rf $(VENV); \
	  for p in $(PYTHON_CANDIDATES); do $$p -c '$(NEW_ENOUGH)' 2>/dev/null && python=$$p && break; done; \
	  if [ -z "$$python" ]; then \
	    echo "fgc needs Python 3.12 or newer (python3.12 or python3.13; 3.11 crashes under load)." \
	         "Install one, e.g. your distribution's python3.13 or 'pyenv install 3.13'." >&2; exit 1; fi; \
	  echo "fgc: virtualenv with $$($$python --version)"; \
	  $$python -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Det Fælles Designsystem and the test tools, from the locked npm install; the
# design's CSS, fonts and icons are served by the app itself (no CDN).
VENDOR := fgc/static/vendor/dkfds
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/css/dkfds.min.css: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/css
	cp node_modules/dkfds/dist/css/dkfds.min.css $(VENDOR)/css/
	cp -r node_modules/dkfds/dist/fonts node_modules/dkfds/dist/img $(VENDOR)/

assets: $(VENDOR)/css/dkfds.min.css

# Debian packages the tests use: chromium (browser tests), libical's Python
# binding (an independent iCalendar parser), PostgreSQL's server (the outage and
# production tests start throwaway clusters) and Redis (rate limits in the production
# test; it must be running at 127.0.0.1:6379). Installed when missing and we are root.
DEBIAN_PACKAGES := chromium gir1.2-ical-3.0 python3-gi postgresql redis-server xmlsec1
browser:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages: $$missing (the tests that need them will fail; FGC_SKIP_BROWSER=1 skips the browser tests)" >&2; fi; \
	fi

translations: install
	$(FLASK) fgc translate compile >/dev/null

migrate: install
	$(FLASK) db upgrade

# A development mail server prints every mail (links included) to this terminal;
# the outbox worker delivers to it, and reminders are queued every ten minutes
# (production: a systemd timer, see deploy/). All stop with the web server on
# Ctrl-C: the trap stops the background jobs once (it must not signal its own
# process group, or it runs itself again until the shell crashes).
run: assets translations migrate
	$(FLASK) fgc seed-demo --if-empty
	@echo "fgc: sign in at http://$(HOST):$(PORT)/login (demo accounts: see README.md)"
	@trap 'trap - EXIT INT TERM; kill $$pids 2>/dev/null; wait; exit 0' EXIT INT TERM; \
	$(PY) -m aiosmtpd -n -l $(HOST):$(SMTP_PORT) -c aiosmtpd.handlers.Debugging & pids="$$!"; \
	MAIL_PORT=$(SMTP_PORT) $(FLASK) fgc send-mail --loop & pids="$$pids $$!"; \
	$(FLASK) fgc send-reminders --loop --interval 600 & pids="$$pids $$!"; \
	FGC_PUBLIC_URL=http://$(HOST):$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
	  { [ "$$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null && \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; } || true

test-sqlite: assets browser translations
	$(PY) -m pytest -q

# The same suite on PostgreSQL (browser tests run once, above). Required in CI.
test-postgres: translations postgres
	FGC_TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -m "not browser" -p no:cacheprovider

test: test-sqlite
	@if [ "$$CI" = "true" ] || [ -n "$$FGC_TEST_POSTGRES" ]; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL run skipped outside CI (set FGC_TEST_POSTGRES=1 to run it)."; fi

# Throughput and latency of the busiest pages under gunicorn and wrk, at 10 and 10,000 cases, on
# SQLite and PostgreSQL, against a bare Flask app; the goals met or not (measures, asserts nothing).
bench: translations postgres
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "make bench needs wrk (Debian package wrk)" >&2; exit 1; }
	$(PY) -m tests.benchmark

clean:
	rm -rf $(VENV) node_modules $(VENDOR) translations/*/LC_MESSAGES/*.mo artifacts
