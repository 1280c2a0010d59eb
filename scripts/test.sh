#!/usr/bin/env bash
# Set up .venv with every extra and run the whole test suite (what CI runs: .ci/run calls this).
# Under CI=true a missing extra or system package fails the run instead of skipping tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh all
if [ "${CI:-}" = "true" ]; then
  export HYPOTHESIS_PROFILE=ci
  export YOUTHCARE_REQUIRE_ALL=1
fi
# Browser tests need Debian's chromium (never a downloaded browser build).
if [ -d tests/browser ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Debian chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  elif [ "${CI:-}" = "true" ]; then
    echo "test: chromium is missing and cannot be installed (not root or no apt-get)" >&2
    exit 1
  fi
fi
set +e
.venv/bin/python -m pytest -q --durations=15 "$@"
rc=$?
set -e
# pytest exits 5 when no test ran: that is a failure here, not a pass.
exit $rc
