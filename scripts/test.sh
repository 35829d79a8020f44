#!/usr/bin/env bash
# Install the dev dependencies (and Chromium for the browser tests), check the architecture (import-linter's layers contract and
# mypy), start a real PostgreSQL server and a real S3 endpoint (moto's server mode) on free
# loopback ports, run the whole test suite, stop the servers. Extra arguments go to pytest.
# A broken contract or a type error fails the run (after the tests, so they still run).
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
# vitessce (extra `vitessce`) pins zarr<3 while biolake runs on zarr 3; building configs needs
# neither its zarr nor its widget parts, so it is installed without its dependencies.
python -m pip install --quiet --disable-pip-version-check --no-deps "vitessce==3.8.4" "black>=24" "pytokens>=0.1"

checks=0
echo "== import-linter (one-way layers, pyproject.toml [tool.importlinter])"
lint-imports --no-cache || checks=1
echo "== mypy (strict for storage/, formats/, setup/; pyproject.toml [tool.mypy])"
python -m mypy src/biolake || checks=1

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# the web UI's browser tests (tests/web/test_browser.py) drive headless Chromium through its driver
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing Chromium and its driver (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The R package (r/biolaker) and its testthat suite (tests/r): R, its packages and pandoc from
# Debian (no CRAN here). reticulate 1.28 is enough: biolaker converts values itself.
R_DEBS="r-base-core r-cran-reticulate r-cran-testthat r-cran-matrix r-cran-rmarkdown r-bioc-singlecellexperiment pandoc"
if ! command -v Rscript >/dev/null 2>&1 || ! command -v pandoc >/dev/null 2>&1 \
   || ! Rscript -e 'for (p in c("reticulate", "testthat", "Matrix", "rmarkdown", "SingleCellExperiment")) if (!requireNamespace(p, quietly = TRUE)) quit(status = 1)' >/dev/null 2>&1; then
  echo "installing R and its packages (Debian packages)"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $R_DEBS >/dev/null
fi

WORK=$(mktemp -d /tmp/biolake-test.XXXXXX)
chmod 755 "$WORK"
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

PG_PORT=$(free_port)
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -o \
  "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null

S3_PORT=$(free_port)
python -m moto.server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!

cleanup() {
  kill "$MOTO_PID" 2>/dev/null || true
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  python -c "import socket; socket.create_connection(('127.0.0.1', $S3_PORT), 0.2)" 2>/dev/null && break
  sleep 0.2
done

export BIOLAKE_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export BIOLAKE_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1

set +e
python -m pytest "$@"
status=$?
set -e
# pytest's 5 means "no tests collected": a suite that ran nothing has failed
if [ "$status" = 0 ] && [ "$checks" != 0 ]; then
  echo "the tests passed, but import-linter or mypy failed (see above)" >&2
  status=1
fi
exit $status
