# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench bench-quick train clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kg build --sample -o output

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Speed and memory against bare spaCy at 1k, 10k and 100k papers (61 to 70 minutes on 2 cores
# before the component timing was added; it adds about 4 minutes, estimated from 200 papers).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# What CI runs: 200 papers, figures printed, no target checked.
bench-quick: $(STAMP)
	$(BIN)/python benchmarks/bench.py --sizes 200 --quick

# kg's NER (kg/models/ner) from the annotated corpora in ../shared/eval; about 8 minutes on 2 cores.
train: $(STAMP)
	$(BIN)/python training/prepare.py
	$(BIN)/python -m spacy train training/config.cfg --code training/functions.py --output training/output
	$(BIN)/python training/finalize.py training/output/model-best kg/models/ner

clean:
	rm -rf $(VENV) output/*.* output/store
