# The README's two commands are `make demo` and `make test`. Both set up everything they need, idempotently:
# ./.venv with the pinned stack (requirements/), the free fonts (glyce-allennlp fonts install), the package (editable).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.glyce-installed
FONTS_STAMP := $(VENV)/.glyce-fonts
PIP    := $(BIN)/python -m pip

.PHONY: setup fonts test demo bench clean-venv

setup: $(STAMP)

$(STAMP): requirements/base.txt requirements/constraints.txt setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements/base.txt -c requirements/constraints.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -c requirements/constraints.txt allennlp allennlp-models
	$(PIP) install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

fonts: $(STAMP)
	$(BIN)/glyce-allennlp fonts install

test: fonts
	$(BIN)/python -m pytest tests -q -p no:cacheprovider

demo: fonts
	$(BIN)/python -m glyce_allennlp.demo

clean-venv:
	rm -rf $(VENV)
