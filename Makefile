# 卫生健康政务服务助手 — every command a newcomer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311   ?= $(shell ls -d $$HOME/.pyenv/versions/3.11.*/bin/python 2>/dev/null | tail -1 || command -v python3.11)
PY310   ?= $(shell ls -d $$HOME/.pyenv/versions/3.10.*/bin/python 2>/dev/null | tail -1 || command -v python3.10)
VENV    := .venv
RASAENV := .venv-rasa
PY      := $(VENV)/bin/python
RASA    := $(RASAENV)/bin/rasa
MODEL   := models/assistant.tar.gz
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
FILE ?= ../shared/eval/dev.jsonl
MODE ?= chat

.PHONY: help setup run test test-fast eval ask validate train bench profile soak lint format clean wechat-sim bank measure

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/app.lock
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip<25"
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements/app.lock
	touch $@

$(RASAENV)/.installed: requirements/rasa.lock
	test -x $(RASAENV)/bin/python || $(PY310) -m venv $(RASAENV)
	$(RASAENV)/bin/python -m pip install -q --upgrade "pip<25" wheel
	$(RASAENV)/bin/python -m pip install -q -r requirements/rasa.lock
	touch $@

var/.chromium:
	@mkdir -p var
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium not installed: browser tests will be skipped (apt-get install chromium)"; fi; fi
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

var/.faketime:
	@mkdir -p var
	@if ! command -v faketime >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; \
	  else echo "faketime not installed: the 2028 validation test needs it (apt-get install faketime)"; fi; fi
	@touch $@

# nginx (Debian's package) for the scale-out test: two replicas behind a real load balancer.
var/.nginx:
	@mkdir -p var
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; \
	  else echo "nginx not installed: the scale-out test will be skipped (apt-get install nginx)"; fi; fi
	@touch $@

var/.model: $(VENV)/.installed
	$(PY) -m knowledge.embedding.e5_convert
	@touch $@

setup: $(VENV)/.installed $(RASAENV)/.installed var/.chromium var/.faketime var/.nginx var/.model node_modules/.installed ## create both environments, the embedding model, the browser, nginx and the dashboard's ECharts (idempotent)

# The knowledge base is not a dependency: item names and aliases are matched by the knowledge engine,
# so a knowledge edit (the console) needs no retrain. data/jieba/userdict.txt is fixed vocabulary.
$(MODEL): $(RASAENV)/.installed config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) data/jieba/userdict.txt
	$(RASA) train --fixed-model-name assistant --out models --quiet

train: $(MODEL) ## train the Rasa model if config, domain or data changed

run: setup train ## start the whole assistant (Rasa, actions, app) on embedded defaults; Ctrl-C stops it
	$(PY) -m scripts.run_stack

test: setup train ## run every test: unit, knowledge, tickets, Rasa stories, end-to-end, browser
	bash scripts/test.sh

test-fast: $(VENV)/.installed ## unit tests only (fake embedder, no servers)
	$(PY) -m pytest -q -m "not slow and not rasa and not e2e and not browser"

eval: setup ## evaluate conversations: make eval FILE=path.jsonl [MODE=chat|retrieval]
ifeq ($(MODE),retrieval)
	$(PY) -m evaluation.run $(FILE) --mode retrieval
else
	$(MAKE) train
	$(PY) -m scripts.run_stack --then "$(PY) -m evaluation.run $(FILE) --mode chat"
endif

ask: $(VENV)/.installed var/.model ## ask the knowledge engine: make ask Q='护士注册要什么材料'
	@$(PY) -m knowledge.cli "$(Q)"

validate: $(VENV)/.installed ## check the curated knowledge base (schema, sources, staleness, aliases)
	$(PY) -m knowledge.validate

bench: setup ## benchmarks: retrieval, chat latency, and side by side with Rasa's starter bot; writes bench/results/
	$(PY) -m bench.retrieval
	$(PY) -m bench.dashboard
	$(MAKE) train
	$(PY) -m scripts.run_stack --then "bash -c '$(PY) -m bench.chat && $(PY) -m bench.versus'"
	$(PY) -m bench.wechat
	$(PY) -m bench.publish

profile: setup train ## per-hop profile of a chat turn (own stack on ports 19440+, HOPS_PORT): bench/results/hops.json
	$(PY) -m bench.hops

soak: setup train ## 16 users for SOAK_MINUTES (30), new questions each (SOAK_TEXTS=fresh), against a fresh stack; memory, errors, throughput: bench/results/soak.json
	$(PY) -m scripts.run_stack --then "$(PY) -m bench.soak"

wechat-sim: setup train ## chat through the WeChat channel as WeChat does (starts a fake WeChat API and the assistant)
	$(PY) -m bot.channels.wechat.simulator --start-stack

bank: $(VENV)/.installed ## regenerate the question bank and multi-turn conversations (tuning/blind) and the Rasa examples from the tuning part
	$(PY) -m evaluation.bank.generate
	$(PY) -m evaluation.bank.dialogues
	$(PY) -m evaluation.bank.rasa_examples

measure: setup ## bank figures (tuning, blind, heldout) at engine level; make measure CHAT=1 also via /api/chat
ifeq ($(CHAT),1)
	$(MAKE) train
	$(PY) -m scripts.run_stack --then "$(PY) -m evaluation.bank.measure --chat http://127.0.0.1:$${APP_PORT:-8000} --dialogues tuning blind --parts tuning blind realworld heldout --out bench/results/bank.json"
else
	$(PY) -m evaluation.bank.measure --out bench/results/bank.json
endif

lint: $(VENV)/.installed ## ruff lint, format check and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy bot knowledge evaluation bench scripts

format: $(VENV)/.installed ## ruff format and fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## remove runtime state (databases, index, trained model); keeps the environments
	rm -rf var/index var/*.db models .rasa
