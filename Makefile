# gonghui: `make run` serves the demo, `make test` runs every check, `make test-quick` the
# quick ones (no slow or browser tests).
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-quick setup messages lint typecheck pytest browser-deps pdf-fonts clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gonghui needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# Compile the translations (Babel: no system gettext needed).
messages: $(STAMP)
	@$(BIN)/pybabel compile --statistics -d locale -D django 2>&1 | tail -n 1

setup: $(STAMP) messages pdf-fonts
	$(BIN)/gonghui migrate --no-input -v 0

run: setup
	$(BIN)/gonghui demo --if-empty
	$(BIN)/gonghui serve --port $(PORT)

# Debian's chromium for the browser tests, and CJK fonts so pages render as users see them.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# A TrueType CJK font for PDF certificates: reportlab embeds TrueType outlines only, so
# Noto CJK (CFF) will not do; AR PL UMing (a Song/Ming face) and WenQuanYi Micro Hei will.
pdf-fonts:
	@fc-list 2>/dev/null | grep -qiE 'uming|wqy-microhei' || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-arphic-uming fonts-wqy-microhei >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check gonghui tests bench
	$(BIN)/ruff format --check gonghui tests bench
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy gonghui

pytest: $(STAMP) messages browser-deps pdf-fonts
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

# Everything but the tests marked slow and the browser tests, for a quick run while working.
test-quick: lint typecheck $(STAMP) messages pdf-fonts
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow and not browser"

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
