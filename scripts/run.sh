#!/usr/bin/env bash
# The main job: set up .venv and run the calibrated baseline at region size (20,000 families,
# 10 measured years after 3 warm-up years), printing the headline figures and the results folder.
# (The multi-scenario comparison with plots, `youthcare compare`, is still open: issue 5.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/youthcare run baseline --families 20000 --years 10 --check --out results/baseline "$@"
