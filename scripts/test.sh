#!/usr/bin/env bash
# The one test command: `make test` runs it (after `make setup` and `make train`); .ci/run calls `make test`.
# Runs, in order: lint (ruff check, ruff format --check), mypy, knowledge-base validation, the known-vulnerability
# audit of both lock files (pip-audit; see scripts/audit_deps.py), the Rasa test stories, the action tests (Rasa env),
# and the main pytest suite (unit, knowledge with the real model, tickets on SQLite and PostgreSQL,
# end-to-end against the real servers, headless-browser tests). Exits non-zero if any step fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONPATH="$PWD"
# Under `make test` the end-to-end tests must run: a missing model or Rasa env fails instead of skipping.
export REQUIRE_E2E=1

failed=()
step() {
  local name="$1"; shift
  echo "=== $name: $*"
  "$@"
  local rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "=== $name: no tests were collected (pytest exit 5) — treated as a failure"
    rc=1
  fi
  if [ "$rc" -ne 0 ]; then failed+=("$name"); fi
}

step lint .venv/bin/ruff check .
step format .venv/bin/ruff format --check .
step mypy .venv/bin/python -m mypy bot knowledge evaluation bench scripts
step knowledge-validate .venv/bin/python -m knowledge.validate
step dependency-audit .venv/bin/python -m scripts.audit_deps
step rasa-stories .venv-rasa/bin/rasa test core --stories tests/test_stories.yml --model models/assistant.tar.gz \
  --fail-on-prediction-errors --out var/rasa-test-results
step rasa-actions .venv-rasa/bin/python -m pytest tests/rasa -q -p no:cacheprovider --confcutdir=tests/rasa
# The knowledge index and the learned heads are built once here (as the app's first start would), so the
# end-to-end stacks start in seconds instead of each waiting for them.
step knowledge-warm .venv/bin/python -m knowledge.cli "护士执业注册需要什么材料"
step pytest .venv/bin/python -m pytest -q --ignore=tests/rasa "$@"

if [ "${#failed[@]}" -ne 0 ]; then
  echo "FAILED steps: ${failed[*]}"
  exit 1
fi
echo "all test steps passed"
