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

# Every test, in a release build (the numeric tests train small models).
test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build

# The most complete pipeline that exists.
demo: build
	$(BIN) bench

bench: build
	$(BIN) bench

clean:
	rm -rf .build
