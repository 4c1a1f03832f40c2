# Divergences: `make book` builds the site, `make test` runs every check.
# Both create .venv and install the pinned dependencies (requirements.txt,
# locked by constraints.txt) the first time, and again when those files change.

SHELL := /bin/bash
# The environment is installed without .pyc files (pip --no-compile, below): Python writes
# each module's .pyc the first time a run imports it. A PYTHONDONTWRITEBYTECODE=1 in the
# caller's environment (this machine sets it) would make every process compile every
# module again (torch's included): nbval took 527 s of CPU instead of 401.
unexport PYTHONDONTWRITEBYTECODE
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# pip prints a warning for every package missing from a local mirror; hide that noise.
# The filter must not hide pip's exit status: grep's own status (1 when every line is
# filtered out) is dropped inside the braces, and the recipes run with pipefail, so a
# failed install stops make.
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
SANITIZE := tests/nbval_sanitize.cfg
JB_FLAGS := -W -n --keep-going
# Chapters are written to run in under 60 s on one CPU core: execute them on one thread.
# It is also what keeps torch fast when the machine is busy (two threads on two shared
# cores can be 10x slower on the chapters' small tensors); results do not depend on it.
ONE_CORE := OMP_NUM_THREADS=1

.PHONY: help venv api format book book-strict test test-browser test-lib test-notebooks test-notebooks-native check sync serve bench bench-smoke lock clean distclean
.PHONY: assignments grade test-assignments pdf slides

help:
	@echo "make book    build the site into _build/html from the stored notebooks (installs .venv first)"
	@echo "make test    run every check: divlib tests, nbval (another CPU's numerics), sync/toc/env"
	@echo "             checks, assignments, strict build, browser test; a timing table at the end"
	@echo "make sync    re-execute the chapters: book/*.md -> book/*.ipynb with fresh outputs"
	@echo "make test-notebooks-native   nbval with this machine's own numerics"
	@echo "make serve   serve _build/html on http://127.0.0.1:8000"
	@echo "make bench   run the benchmarks against scipy and POT"
	@echo "make format  format the chapters' code cells (ruff, 84 columns) and re-pair them"
	@echo "make api     regenerate the divlib reference pages after a change of divlib.__all__"
	@echo "make assignments   student notebooks, pages and autograders from assignments/masters"
	@echo "make grade SUBMISSIONS=dir [JOBS=N] [ROSTER=roster.csv] [HAND=hand.csv]"
	@echo "             grade every .ipynb in dir: grades.csv, gradebook.csv, canvas.csv, hand/"
	@echo "make slides one reveal.js deck per chapter into _build/html/slides (offline);"
	@echo "             CHECK=1 also opens every slide in Chromium (no overflow, no raw TeX)"
	@echo "make pdf     the whole book as one PDF, offline (Chromium prints a one-page build):"
	@echo "             _build/html/divergences.pdf, linked from every page's download menu"
	@echo "make clean   remove _build (keeps .venv); make distclean also removes .venv"

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV) ..."
	@# --no-compile: no .pyc for the 14,000 modules of the environment up front (87 -> 37 s
	@# on 2 cores); Python compiles the modules a run imports, once, as it imports them
	@set -o pipefail; $(BIN)/pip install --quiet --no-compile -r requirements.txt -c constraints.txt $(QUIET_PIP)
	@set -o pipefail; $(BIN)/pip install --quiet --no-deps -e . $(QUIET_PIP)
	@$(PY) -c "import divlib, torch, jupyter_book; print('divlib', divlib.__version__, '| torch', torch.__version__)"
	@touch $@

# The site renders the executed notebooks committed beside the chapters (book/*.ipynb):
# nothing is executed, so a reader has the site in about the install time plus a minute.
# Authors re-execute with `make sync`, which rewrites those notebooks; nbval in `make test`
# proves that every stored output is still what the code prints, on another CPU too.
book: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@$(PY) scripts/slides.py --quiet
	@$(PY) scripts/check_site.py
	@echo "The site is at file://$(CURDIR)/_build/html/index.html (or run: make serve)"

# A fresh, strict build: incremental builds hide the warnings of unchanged pages.
book-strict: $(STAMP)
	$(BIN)/jupyter-book build . --all $(JB_FLAGS)
	$(PY) scripts/slides.py --quiet
	$(PY) scripts/check_site.py

# Lecture slides: one reveal.js deck per chapter (scripts/slides.py) from the items the
# chapter marks (prf blocks with :class: slide, cells tagged slide or slide-output), into
# _build/html/slides/, offline (reveal.js and MathJax served beside them). make book
# builds them too; each chapter page links its deck. CHECK=1 opens each in Chromium.
slides: $(STAMP)
	$(PY) scripts/slides.py $(if $(CHECK),--check)

# Every page of the built site in a real browser (Debian's chromium, driven by
# pytest-playwright: tests/browser), loaded at 390 px, then widened to 1280 px: no raw
# TeX, no MathJax or JavaScript error, no failed request, no clipped formula, alt text,
# hidden solutions, no sideways scroll, scroll cues on wide formulas, figure text >= 9 px,
# axe-core WCAG 2.1 A/AA, each chapter's quiz answered; on a phone the navigation and
# page contents open; search; every slide deck. One worker more than cores: a worker also
# waits (a page settling after the resize, a solution opening), and the spare one fills
# those gaps (2 cores, the suite alone: 169 s with 2 workers, 155 s with 3, same CPU).
# Skipped with a clear message where no Chromium is installed (never under CI).
test-browser: $(STAMP)
	@$(PY) scripts/browser_check.py --pytest --workers $$(( $(NPROC) + 1 )) \
	    --json _build/browser_report.json; rc=$$?; \
	if [ $$rc -eq 2 ]; then \
	  if [ -n "$$CI" ]; then echo "test-browser: FAILED, CI needs Chromium (.ci/run installs it)"; exit 1; fi; \
	  echo "test-browser: SKIPPED (no Chromium here: apt-get install chromium)"; exit 0; \
	fi; exit $$rc

# The whole book as one PDF (scripts/pdf_book.py): a singlehtml build of the stored
# outputs printed by Debian's chromium with bookmarks, a linked table of contents and
# per-chapter numbers; solutions omitted. Run after make book (it writes into
# _build/html); tests/test_pdf.py checks it. Exit 2 (SKIPPED) without Chromium.
pdf: $(STAMP)
	@$(PY) scripts/pdf_book.py --out _build/html/divergences.pdf; rc=$$?; \
	if [ $$rc -eq 2 ]; then \
	  if [ -n "$$CI" ]; then echo "pdf: FAILED, CI needs Chromium (.ci/run installs it)"; exit 1; fi; \
	  echo "pdf: SKIPPED (no Chromium here: apt-get install chromium)"; exit 0; \
	fi; test $$rc -eq 0 && $(PY) -m pytest -q -p no:randomly tests/test_pdf.py
	@# the pages offer the PDF in their download menu only once it exists: rebuild them
	$(BIN)/jupyter-book build . --all $(JB_FLAGS)

test-lib: $(STAMP)
	$(ONE_CORE) $(PY) -m pytest -q --durations=5 tests divlib --ignore=tests/test_assignments.py --ignore=tests/browser

# nbval re-executes every chapter and compares each text output with the stored one,
# under the floating point of another CPU imitated on this one (scripts/other_cpu.py):
# the stored outputs come from `make sync` run natively, so one run under the
# perturbation proves they hold on both. Chapters are spread over the cores, one
# notebook per worker (--dist loadfile), each on one thread.
NPROC := $(shell nproc 2>/dev/null || echo 2)
test-notebooks: $(STAMP)
	@echo "nbval under another CPU's numerics: $$($(PY) scripts/other_cpu.py)"
	env $$($(PY) scripts/other_cpu.py) $(ONE_CORE) $(PY) -m pytest -q -p no:randomly --durations=10 \
	    -n $(NPROC) --dist loadfile --nbval --nbval-current-env \
	    --nbval-sanitize-with $(SANITIZE) $$($(PY) scripts/notebooks.py list)
	@$(PY) scripts/notebooks.py claims

# The same comparison with this machine's own numerics (what `make sync` stored).
test-notebooks-native: $(STAMP)
	$(ONE_CORE) $(PY) -m pytest -q -p no:randomly -n $(NPROC) --dist loadfile --nbval \
	    --nbval-current-env --nbval-sanitize-with $(SANITIZE) $$($(PY) scripts/notebooks.py list)

check: $(STAMP)
	$(PY) scripts/notebooks.py check
	$(PY) scripts/lint_sources.py
	$(PY) scripts/api_pages.py check
	$(PY) scripts/format_chapters.py check
	$(BIN)/ruff check divlib benchmarks tests scripts book/_ext && $(BIN)/ruff format --check divlib benchmarks tests scripts book/_ext
	$(PY) scripts/check_release.py

# Format the chapters' code cells (ruff, 84 columns: what the site's code column shows),
# then re-pair their notebooks without re-executing them.
format: $(STAMP)
	$(PY) scripts/format_chapters.py write
	$(PY) scripts/notebooks.py pair $$($(PY) -c "import sys; sys.path.insert(0, 'scripts'); import notebooks; print(' '.join(str(p) for p in notebooks.paired_sources()))")

# Regenerate the divlib reference pages (book/api/*.md) after a change of divlib.__all__.
api: $(STAMP)
	$(PY) scripts/api_pages.py write

# Every check, spread over the cores by make's job server (-j): nbval (itself on every
# core), the source checks, the library tests, the assignment pipeline, the benchmark
# smoke run, and the strict build followed by the browser test. Each part's output is
# shown whole when it ends (--output-sync); -k runs every part even when one fails; a
# table of each part's time and status closes the run.
LOGS := _build/logs
TEST_PARTS := test-notebooks test-browser test-lib test-assignments check bench-smoke
test: $(STAMP)
	@rm -rf $(LOGS); mkdir -p $(LOGS); start=$$(date +%s); \
	$(PY) scripts/test_summary.py --mark $(LOGS)/cpu.start; \
	$(MAKE) --no-print-directory -k -j$(NPROC) --output-sync=target \
	    $(addprefix timed-,$(TEST_PARTS)); rc=$$?; \
	$(PY) scripts/test_summary.py $(LOGS) book-strict $(TEST_PARTS) --since $$start; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see above)"; exit 1; fi; \
	echo "make test: all checks passed"

# One part of `make test`: its log, its wall and CPU time and its exit status for the
# summary (scripts/test_summary.py --run).
timed-%: $(STAMP)
	@MAKE="$(MAKE)" $(PY) scripts/test_summary.py --run $* $(LOGS)

# The browser test reads the site that the strict build has just made.
timed-test-browser: timed-book-strict

# Re-execute chapters and store their outputs: `make sync` (all) or
# `make sync NB=book/kl.md` (one).
sync: $(STAMP)
	$(ONE_CORE) $(PY) scripts/notebooks.py sync $(NB)

serve:
	@test -f _build/html/index.html || { echo "No site yet: run make book first"; exit 1; }
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# The benchmarks at small sizes: they must keep running (numbers not checked).
bench-smoke: $(STAMP)
	@shopt -s nullglob; for f in benchmarks/bench_*.py; do echo "== $$f --quick"; $(PY) $$f --quick || exit 1; done

# Assignments (otter-grader): each master assignments/masters/<name>.md makes the committed
# student notebook assignments/student/<name>.ipynb and page book/assignments/<name>.md,
# and the autograder _build/assignments/<name>/autograder.zip (never committed).
assignments: $(STAMP)
	$(ONE_CORE) $(PY) scripts/assignments.py generate

# Grade every .ipynb of a folder: make grade SUBMISSIONS=dir [JOBS=N] [ROSTER=roster.csv]
# [HAND=hand.csv] -> dir/grades.csv, dir/gradebook.csv, dir/canvas.csv, dir/hand/*.html
SUBMISSIONS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ROSTER ?=
HAND ?=
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir [JOBS=N] [ROSTER=roster.csv] [HAND=hand.csv]"; exit 2; }
	$(ONE_CORE) $(PY) scripts/assignments.py grade "$(SUBMISSIONS)" --jobs $(JOBS) \
	  $(if $(ROSTER),--roster "$(ROSTER)") $(if $(HAND),--hand "$(HAND)")

# The pipeline end to end: solutions, blank and buggy fixtures graded, no leak, no drift.
test-assignments: $(STAMP)
	$(ONE_CORE) $(PY) -m pytest -q --durations=8 -p no:randomly tests/test_assignments.py

# Refresh the full lock from the current venv (after changing requirements.txt).
lock: $(STAMP)
	@{ echo "# Full lock of every transitive dependency, made by \`make lock\` from a working .venv."; \
	   echo "# Installed as pip constraints together with requirements.txt."; \
	   $(BIN)/pip freeze --exclude-editable | sed -E 's/^(torch==[0-9.]+)\+cpu$$/\1/'; } > constraints.txt

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV)
