# pchat.cutover — the fixed targets (see README.md and docs/).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
PYTHON      ?= python3
PY          := $(VENV)/bin/python
LAB_DIR     ?= .lab
LAB_SEED    ?= 42
LAB_USERS   ?= 200
LAB_ROOMS   ?= 20
LAB_MESSAGES ?= 2000
# What the lab's front end presents itself as: lync2013 (Lync Server 2013) or sfb2015 (Skype for Business Server 2015,
# whose Management Shell module is SkypeForBusiness); `make lab LAB_FRONTEND=sfb2015` switches a running lab.
LAB_FRONTEND ?= lync2013
export LAB_DIR LAB_SEED LAB_USERS LAB_ROOMS LAB_MESSAGES LAB_FRONTEND

# Kerberos: kinit/klist (krb5-user), the MIT libraries and headers gssapi/krb5 build against; faketime for the
# clock-skew test (tests/integration/test_kerberos.py).
DEBS := samba samba-ad-provision samba-dsdb-modules samba-vfs-modules ldb-tools openssl rsync iproute2 \
        krb5-user libgssapi-krb5-2 libkrb5-dev gcc faketime
STAMP := $(VENV)/.installed
# The support matrix's oldest end (docs/packaging.md): the oldest ansible-core that meta/runtime.yml declares.
OLDEST_VENV ?= .venv-oldest
OLDEST_STAMP := $(OLDEST_VENV)/.installed
# What Galaxy / Automation Hub and a docs site run on the tarball (galaxy-importer, antsibull-docs, Sphinx): a
# virtualenv of its own (docs/packaging.md, "Publishing").
PUBLISH_VENV ?= .venv-publish
PUBLISH_STAMP := $(PUBLISH_VENV)/.installed

.PHONY: help setup debs setup-oldest setup-publish publish release lab lab-down lab-status lab-reset demo test unit integration reliability sanity matrix packaging lint molecule benchmarks build changelog role-docs clean

help:
	@echo "make demo   - set up, bring up the lab, run the cutover on it, print the report"
	@echo "make test   - set up, then every test and quality gate (what CI runs)"
	@echo "make setup | lab | lab-down | lab-status | lab-reset | unit | integration | sanity | lint | molecule | benchmarks | build"
	@echo "make matrix (unit + sanity on the oldest ansible-core) | packaging (tarball, EE, changelog, role defaults, links)"
	@echo "make publish (galaxy-importer as Automation Hub runs it, antsibull-docs lint, the docs site) | release"
	@echo "make role-docs (each role README's table of variables, from its meta/argument_specs.yml)"

setup: debs $(STAMP)
	@mkdir -p .ansible/collections/ansible_collections/pchat
	@test -e .ansible/collections/ansible_collections/pchat/cutover || ln -s ../../../.. .ansible/collections/ansible_collections/pchat/cutover

# Before the venv: gssapi and krb5 come as source only and build against libkrb5-dev.
debs:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): requirements-dev.txt | debs
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

setup-oldest: setup $(OLDEST_STAMP)

$(OLDEST_STAMP): requirements-oldest.txt meta/ee-requirements.txt bindep.txt | $(STAMP)
	@PYTHON=$(PYTHON) ./scripts/setup_oldest.sh $(OLDEST_VENV)
	@touch $@

setup-publish: setup $(PUBLISH_STAMP)

$(PUBLISH_STAMP): requirements-publish.txt
	@test -x $(PUBLISH_VENV)/bin/python || $(PYTHON) -m venv $(PUBLISH_VENV)
	$(PUBLISH_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-publish.txt
	@touch $@

lab: setup
	$(PY) -m lab up

lab-down:
	@if [ -x $(PY) ]; then $(PY) -m lab down; else $(PYTHON) -m lab down; fi

lab-status:
	$(PY) -m lab status

lab-reset:
	$(PY) -m lab reset

demo: lab
	@./scripts/demo.sh

unit: setup
	$(PY) -m pytest -q tests/unit

integration: setup
	$(PY) -m pytest -q tests/integration

sanity: setup
	@./scripts/sanity.sh

matrix: setup-oldest
	@OLDEST_VENV=$(OLDEST_VENV) ./scripts/matrix.sh

packaging: setup
	$(PY) -m pytest -q -p no:cacheprovider tests/packaging

# The generated part of each role README; tests/packaging/test_role_docs.py fails when it is stale.
role-docs: setup
	$(PY) scripts/role_docs.py

lint: setup
	@./scripts/lint.sh

# The reliability suite runs on the lab it is given (LAB_DIR, LAB_IP) and never brings up one of its own.
reliability: lab
	$(PY) -m pytest -q tests/reliability

molecule: setup
	@./scripts/molecule.sh

benchmarks: setup
	@./scripts/benchmarks.sh

# The tarball as it is published: the pending changelog fragments released as galaxy.yml's version and the docs
# site's guides made from the Markdown, in a staging copy (scripts/build.sh; the checkout is not changed).
build: setup
	./scripts/build.sh build

publish: setup-publish
	$(PUBLISH_VENV)/bin/python scripts/publish_check.py

# Cut a release in the checkout (docs/packaging.md, "Releases"): the fragments in changelogs/fragments/ move into
# changelogs/changelog.yaml as galaxy.yml's version, CHANGELOG.rst is regenerated; commit the result and tag it.
# antsibull-changelog runs ansible-doc: the venv's bin/ goes first on PATH.
release: setup
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/antsibull-changelog release --cummulative-release \
	  --date "$$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
	$(VENV)/bin/antsibull-changelog lint

changelog: release

test: setup setup-oldest setup-publish
	@./scripts/test.sh

clean: lab-down
	rm -rf build tests/output .pytest_cache docs/docsite/rst
