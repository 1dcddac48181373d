# The README's two commands are `make demo` and `make test`. Both set up everything they need, idempotently:
# ./.venv with the pinned stack (requirements/), the free fonts (glyce-allennlp fonts install), the package (editable).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.glyce-installed
PIP    := $(BIN)/python -m pip

.PHONY: setup fonts browser test test-fast demo bench clean-venv

setup: $(STAMP)

$(STAMP): requirements/base.txt requirements/constraints.txt setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements/base.txt -c requirements/constraints.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -c requirements/constraints.txt allennlp allennlp-models
	$(PIP) install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m glyce_allennlp.patches.nltk_downloads install
	@touch $(STAMP)

# `apt-get download` needs Debian package lists; a fresh machine (or container) may have none: refresh them when root.
fonts: $(STAMP)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; \
	  then echo "apt-get update (package lists missing)"; apt-get update -qq || true; fi
	$(BIN)/glyce-allennlp fonts install

# The page test of `glyce-allennlp serve` drives Debian's headless Chromium: install it when missing (as root).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "apt-get install chromium chromium-driver (for the page test)"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	  else echo "chromium / chromium-driver missing: apt-get install chromium chromium-driver (page test)"; fi; fi

# Tests run in TEST_JOBS worker processes (pytest-xdist; each test file stays on one worker, so the models a file
# trains once are shared by its tests). TEST_JOBS=0 runs them in this process, one after the other.
TEST_JOBS ?= 2
PYTEST = $(BIN)/python -m pytest tests -q -p no:cacheprovider -n $(TEST_JOBS) --dist loadfile
test: fonts browser
	$(PYTEST)

# The fast tier (a few minutes on 2 cores): readers, formats, glyph core, config structure, predictors' logic, model
# unit tests. Leaves out the tests marked `slow` (pytest.ini: end-to-end training, the allennlp commands or a training
# in a subprocess, distributed runs, kill/recover).
test-fast: fonts
	$(PYTEST) -m "not slow"

demo: fonts
	$(BIN)/python -m glyce_allennlp.demo

# Glyph vs no-glyph benchmarks on real data ($GLYCE_DATA, default ../shared/data): see docs/benchmarks.md.
# `make bench BENCH_ARGS=--quick` is the ~10-minute smoke check; BENCH_ARGS="--only resume_ner --epochs 20" etc.
BENCH_ARGS ?=
bench: fonts
	OMP_NUM_THREADS=1 nice -n 5 $(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
