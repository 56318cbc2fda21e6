# Two commands on a fresh machine: `make demo` and `make test`.
# Both install exactly the lock (uv.lock, exported with hashes to requirements/): `make demo` the
# runtime set, `make test` the development set on top; `make lock` changes the lock on purpose.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed-dev
PIP_LOCKED := $(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps

.PHONY: demo test lint typecheck unit fuzz lock lock-check bench sanitize fuzz-sanitize clean

# setup.py builds the C loops of the X12 reader and of the guide check (optional: without a
# compiler, Python reads and checks the same).
C_LOOPS := $(wildcard src/claimbridge/x12/*.c src/claimbridge/x12/*/*.c)
PROJECT_FILES := pyproject.toml setup.py $(C_LOOPS)

# The project itself is built with the locked setuptools (no build isolation, so nothing unlocked
# is fetched to build it).
$(RUNTIME): requirements/runtime.txt requirements/build.txt $(PROJECT_FILES)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) -r requirements/build.txt -r requirements/runtime.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements/dev.txt
	$(PIP_LOCKED) -r requirements/dev.txt
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/claimbridge demo

lint: $(STAMP)
	$(BIN)/ruff check --no-cache src tests bench fuzz
	$(BIN)/ruff format --no-cache --check src tests bench fuzz

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

# Coverage-guided fuzzing of every parser and of ingest (fuzz/run.py, docs/fuzzing.md): a short
# pass, FUZZ_SECONDS a target; a finding fails and is kept in .fuzz/<target>/.
FUZZ_SECONDS ?= 3
fuzz: $(STAMP)
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS)

test: lock-check lint typecheck unit fuzz

# Fails when pyproject.toml and uv.lock disagree, or requirements/ is not the lock's export.
EXPORT := $(BIN)/uv export --quiet --frozen --no-emit-project --no-header
lock-check: $(STAMP)
	$(BIN)/uv lock --check --offline --quiet || { echo "uv.lock does not match pyproject.toml: run make lock"; exit 1; }
	@$(EXPORT) | diff -q - requirements/runtime.txt >/dev/null || { echo "requirements/runtime.txt is not uv.lock's export: run make lock"; exit 1; }
	@$(EXPORT) --extra dev | diff -q - requirements/dev.txt >/dev/null || { echo "requirements/dev.txt is not uv.lock's export: run make lock"; exit 1; }
	@$(EXPORT) --only-group build | diff -q - requirements/build.txt >/dev/null || { echo "requirements/build.txt is not uv.lock's export: run make lock"; exit 1; }

# Resolve again (newest versions pyproject.toml allows) and export; review the diff, then commit.
lock: $(STAMP)
	$(BIN)/uv lock --upgrade
	$(EXPORT) -o requirements/runtime.txt
	$(EXPORT) --extra dev -o requirements/dev.txt
	$(EXPORT) --only-group build -o requirements/build.txt

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

# The X12 fuzz targets (they read with the C loops, then the Python ones) with the C loops built
# under AddressSanitizer and UBSan as above; FUZZ_SECONDS a target (slower: malloc, the checks).
X12_TARGETS := x12_999 x12_277 x12_835 x12_837p x12_ta1 validate
fuzz-sanitize: $(STAMP)
	CFLAGS="$(SANITIZE_FLAGS)" LDFLAGS="$(SANITIZE_FLAGS)" $(BIN)/pip install --quiet --no-deps -e .
	for so in $(C_LOOPS:.c=.cpython-*.so); do nm -D $$so | grep -q __asan_init || { echo "$$so: not sanitized"; exit 1; }; done
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so):$$(gcc -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 PYTHONMALLOC=malloc \
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS) --rss-mb 4096 --work .fuzz/sanitized $(X12_TARGETS); \
	status=$$?; $(BIN)/pip install --quiet --no-deps -e .; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
	find src -name '*.so' -delete
