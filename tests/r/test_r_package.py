"""The R package biolaker (r/biolaker): its testthat suite and the README's R block, run by Rscript.

The package is installed into a temporary library; reticulate uses this interpreter
(``RETICULATE_PYTHON``) and imports biolake from this checkout (``PYTHONPATH``). Without R the
tests are skipped locally and fail in CI (scripts/test.sh installs R from Debian's packages).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "r" / "biolaker"
README = ROOT / "README.md"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def r_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of an R process that has biolaker installed and uses this Python and checkout."""
    if shutil.which("Rscript") is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript is missing: scripts/test.sh installs r-base-core and the R packages")
        pytest.skip("R is not installed (scripts/test.sh installs it)")
    library = tmp_path_factory.mktemp("r-library")
    env = {
        **os.environ,
        "RETICULATE_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "BIOLAKE_HOME": str(tmp_path_factory.mktemp("r-biolake-home")),
        "R_LIBS": str(library),
        "BIOLAKE_QUIET": "0",
    }
    env.pop("BIOLAKE_RUN_UID", None)
    env.pop("BIOLAKE_R_SOURCE", None)
    installed = subprocess.run(
        ["R", "CMD", "INSTALL", "--no-test-load", f"--library={library}", str(PACKAGE)],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return env


def rscript(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["Rscript", "-e", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


TESTTHAT = """
results <- as.data.frame(testthat::test_dir({tests!r}, package = "biolaker", load_package = "installed",
                                             reporter = "summary", stop_on_failure = FALSE))
cat(sprintf("testthat: tests=%d expectations=%d failed=%d errors=%d skipped=%d\\n", nrow(results),
            sum(results$nb), sum(results$failed), sum(results$error), sum(results$skipped)))
"""


def test_testthat_suite(r_env: dict[str, str], tmp_path: Path) -> None:
    result = rscript(TESTTHAT.format(tests=str(PACKAGE / "tests" / "testthat")), r_env, tmp_path)
    output = result.stdout + result.stderr
    summary = re.search(r"testthat: tests=(\d+) expectations=(\d+) failed=(\d+) errors=(\d+) skipped=(\d+)", output)
    assert result.returncode == 0 and summary is not None, output
    tests, expectations, failed, errors, skipped = map(int, summary.groups())
    assert failed == 0 and errors == 0, output
    assert tests >= 12 and expectations >= 50, output
    assert skipped == 0, output  # SingleCellExperiment, rmarkdown and pandoc are installed by the test command


def readme_r_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## R\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```r\n", 1)[1].split("\n```\n", 1)[0]


def test_readme_r_block_runs_verbatim(r_env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "readme.R"
    script.write_text(readme_r_block() + CHECKS, encoding="utf-8")
    result = subprocess.run(["Rscript", str(script)], env=r_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "README checks passed" in result.stdout, result.stdout + result.stderr
    assert (tmp_path / "my-analysis.html").is_file()


CHECKS = """
stopifnot(is.data.frame(df), is.factor(df$cell_type), identical(df$n_cells, c(1200L, 340L)))
stopifnot(methods::is(adata$X, "Matrix"), is.data.frame(adata$obs), is.factor(adata$obs$cell_type))
stopifnot(identical(dim(sce), c(2L, 3L)))
stopifnot(identical(ln$Artifact$get(key = "my-datasets/my-object.rds")$load(), df))
script <- ln$Transform$get(key = "readme.R")
stopifnot(identical(script$type, "script"), grepl("lamin_init", script$source_code, fixed = TRUE))
stopifnot(identical(ln$Artifact$get(key = "x.h5ad")$run$transform$key, "readme.R"))
notebook <- ln$Transform$get(key = "my-analysis.Rmd")
stopifnot(identical(notebook$type, "notebook"), identical(notebook$runs$first()$report$suffix, ".html"))
cat("README checks passed\\n")
"""


CONSOLE_SCRIPT = """
library(biolaker)
lamin_init(storage = "./console-lake")
ln <- import_module("biolake")
ln$track()
print(summary(c(1, 2, 3)))
cat("cat from R\\n")
message("a message from R")
invisible(ln$finish())
cat("after finish\\n")
"""

READ_LOG = "import biolake as ln; ln.connect('console-lake'); print(ln.Run.get(transform__key='console.R').report.cache().read_text())"


def test_r_console_output_is_in_the_run_log(r_env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "console.R"
    script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
    result = subprocess.run(["Rscript", str(script)], env=r_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cat from R" in result.stdout and "a message from R" in result.stderr  # still shown while captured
    read = subprocess.run([sys.executable, "-c", READ_LOG], env=r_env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    log = read.stdout
    assert "Median" in log and "cat from R" in log and "a message from R" in log
    assert log.index("Median") < log.index("cat from R")  # stdout in order; stderr interleaves by line
    assert "after finish" not in log
