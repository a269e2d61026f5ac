# MPVQA: the two commands of a fresh machine are `make demo` and `make test`.
SWIFT ?= swift
CONFIG ?= release
APT_PACKAGES := libopenblas-dev libhdf5-dev libpng-dev libjpeg-dev pkg-config
BIN := .build/$(CONFIG)/mpvqa

.PHONY: deps build test demo bench clean

# Installs the system libraries that are missing (apt-get, only when absent).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

# Every test, in a release build (the numeric tests train small models). The test process
# gets the OpenBLAS kernel `mpvqa` selects at launch (OPENBLAS_CORETYPE is read when the
# library loads, so it must be in the environment before the test process starts).
test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	@coretype="$$($(BIN) bench --print-coretype)" || exit 1; \
	if [ -n "$$coretype" ]; then export OPENBLAS_CORETYPE="$$coretype"; echo "tests run with OPENBLAS_CORETYPE=$$coretype"; fi; \
	echo "$(SWIFT) test -c $(CONFIG) --skip-build"; \
	$(SWIFT) test -c $(CONFIG) --skip-build

# The quickstart: synthetic data → tokenizer → end-to-end training → feature caches → a pooling
# ablation (max, mean, attention) on the frozen encoder → report (experiments/quickstart.yaml).
# Finished steps are reused on a second `make demo`; `rm -rf runs/quickstart` for a fresh run.
# Prints the plan, a progress line per step, the metrics table and the report's path.
demo: build
	$(BIN) run experiments/quickstart.yaml

bench: build
	$(BIN) bench

clean:
	rm -rf .build
