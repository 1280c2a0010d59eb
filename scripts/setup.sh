#!/usr/bin/env bash
# Create .venv from a Python >= 3.12 and install the package (editable) with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh all
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

find_python() {
  local cands=(python3.13 python3.12)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root)"
    for v in $(ls -1 "$root/versions" 2>/dev/null | sort -rV); do
      cands+=("$root/versions/$v/bin/python3")
    done
  fi
  cands+=(python3 python)
  for c in "${cands[@]}"; do
    local exe; exe="$(command -v "$c" 2>/dev/null || true)"
    [ -n "$exe" ] || continue
    if "$exe" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$exe"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
  py="$(find_python)" || {
    echo "setup: no Python >= 3.12 found (tried python3.13, python3.12, pyenv versions, python3). Install Python 3.12 or newer." >&2
    exit 1
  }
  echo "setup: creating .venv with $py ($("$py" --version 2>&1))" >&2
  rm -rf .venv
  "$py" -m venv .venv
fi
spec="."
[ -n "$extras" ] && spec=".[${extras}]"
log=.venv/setup.log
# pip's own chatter goes to a log; it is shown only when the installation fails.
if ! { .venv/bin/python -m pip install --quiet --upgrade pip && .venv/bin/python -m pip install --quiet -e "$spec"; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "setup: installing $spec into .venv failed (full log: $log)" >&2
  exit 1
fi
echo "setup: ready (.venv/bin/youthcare)" >&2
