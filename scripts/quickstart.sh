#!/usr/bin/env bash
# Install biolake and run the quickstart on an embedded SQLite instance in ./.quickstart/mydata.
# Its settings live in ./.quickstart/home so your own instances are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e .
mkdir -p .quickstart
cd .quickstart
export BIOLAKE_HOME="$PWD/home"
biolake init --storage ./mydata
python ../examples/quickstart.py
