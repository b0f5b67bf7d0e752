# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTHON  ?= python3
# System packages the tests drive for real: the browser, the web server, the database server, Node.
APT_PACKAGES := chromium nginx-light postgresql nodejs npm
PORT    ?= 8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: install install-prod system-deps node-deps run test test-fast build check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# Node packages the tests run (opening_hours.js, the OSM reference): one package.json at the root,
# installed exactly as locked. The built sites use no Node package.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

node-deps: $(NODE_STAMP)

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
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: install
	$(BIN)/portal build

check: install
	$(BIN)/portal check

# Demo sites and the form backend on http://127.0.0.1:$(PORT) (mail is written to instance/mail/).
run: install
	$(BIN)/portal build
	$(BIN)/portal serve --port $(PORT)

test: install system-deps
	$(MAKE) node-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

# Skips the long fault and load tests.
test-fast: install node-deps
	$(BIN)/pytest -m "not slow"

clean:
	rm -rf site .cache instance
