#!/usr/bin/env bash
# Run the three-step workflow and print the lineage of its result.
# Uses its own settings folder (./.home) and storage (./data) unless BIOLAKE_HOME is set.
set -euo pipefail
cd "$(dirname "$0")"
export BIOLAKE_HOME="${BIOLAKE_HOME:-$PWD/.home}"
biolake init --storage ./data --name workflow
python pipeline.py
biolake run ls --transform rnaseq-workflow
biolake lineage show workflow/summary.parquet
