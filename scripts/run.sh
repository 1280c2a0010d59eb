#!/usr/bin/env bash
# The main job: set up .venv and compare the headline scenarios at region size (20,000 families,
# 10 measured years after 3 warm-up years, 10 replications with parameter uncertainty and common
# random numbers), printing the table and the paths of the figures. About 2-3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/youthcare compare baseline family-worker-weekly digital-family-plan hart-voor-jeugd-en-gezin lumpsum \
  --replications 10 --families 20000 --years 10 --out results/main-comparison --replace "$@"
