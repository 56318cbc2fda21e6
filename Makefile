# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench sanitize clean

# setup.py builds the X12 reader's C loops (optional: without a compiler, Python reads the same).
C_LOOPS := $(wildcard src/claimbridge/x12/*.c src/claimbridge/x12/*/*.c)

$(STAMP): pyproject.toml setup.py $(C_LOOPS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/claimbridge demo

lint: $(STAMP)
	$(BIN)/ruff check --no-cache src tests bench
	$(BIN)/ruff format --no-cache --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The X12 tests with the C loops built under AddressSanitizer and UBSan (malloc instead of
# pymalloc, so every allocation is checked), then the C loops built again as usual.
SANITIZE_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
sanitize: $(STAMP)
	CFLAGS="$(SANITIZE_FLAGS)" LDFLAGS="$(SANITIZE_FLAGS)" $(BIN)/pip install --quiet --no-deps -e .
	for so in $(C_LOOPS:.c=.cpython-*.so); do nm -D $$so | grep -q __asan_init || { echo "$$so: not sanitized"; exit 1; }; done
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so):$$(gcc -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 PYTHONMALLOC=malloc \
	$(BIN)/pytest -q -n 2 -p no:cacheprovider tests/x12; \
	status=$$?; $(BIN)/pip install --quiet --no-deps -e .; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
	find src -name '*.so' -delete
