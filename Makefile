# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# npm packages at the versions package-lock.json pins: the browser editor (Decap CMS, /admin/ of
# `portal preview`), the checkers of tests/test_html_checkers.py (vnu-jar, pa11y) and opening_hours.js.
NPM_STAMP := node_modules/.installed
PYTHON  ?= python3
# System packages the tests drive for real: the browser, the web server and its brotli module
# (deploy/nginx: precompressed .br assets), the database server, the Java runtime of the W3C Nu
# HTML Checker, and Node (npm packages: package.json).
APT_PACKAGES := chromium nginx-light libnginx-mod-http-brotli-static postgresql default-jre-headless nodejs npm
PORT    ?= 8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: install install-prod system-deps node-deps run test test-fast build check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	# No install scripts: puppeteer's would download a browser and vnu-jar's a Java runtime; Debian's are used.
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Everything: the portal, its test tools and the npm packages (~480 MB in node_modules/). `make test`
# and `portal preview`'s browser editor need it; `make run`, `build` and `check` only the first line.
install: $(STAMP) $(NPM_STAMP)

# A server's install (docs/deploy.md): the portal and gunicorn, without the test tools. Editable,
# so the portal finds this checkout's site_config/, forms/ and templates/ after a `git pull`.
install-prod:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .

# Debian's packages, installed only when missing (needs root, or sudo without a password).
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx-light"; \
	test -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so || missing="$$missing libnginx-mod-http-brotli-static"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: $(STAMP)
	$(BIN)/portal build

check: $(STAMP)
	$(BIN)/portal check

# Demo sites and the form backend on http://127.0.0.1:$(PORT) (mail is written to instance/mail/).
# Python packages only: serving needs none of the npm packages.
run: $(STAMP)
	$(BIN)/portal build
	$(BIN)/portal serve --port $(PORT)

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

# Skips the long fault and load tests.
test-fast: install
	$(BIN)/pytest -m "not slow"

clean:
	rm -rf site .cache instance node_modules
