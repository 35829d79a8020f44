"""The runnable workflow example: three steps chained through the CLI, with their lineage graph."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "workflow"


def test_three_step_workflow_and_its_lineage(tmp_path):
    work = tmp_path / "workflow"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns(".home", "data"))
    env = {**os.environ, "BIOLAKE_HOME": str(tmp_path / "home"), "BIOLAKE_QUIET": "1"}
    env.pop("BIOLAKE_RUN_UID", None)
    result = subprocess.run(["bash", "run.sh"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    mermaid = result.stdout[result.stdout.index("flowchart LR"):]
    runs = re.findall(r'run_\w+\(\["(\S+) \(run \w+\)"\]\)', mermaid)
    assert sorted(runs) == ["step1_ingest.py", "step2_qc.py", "step3_summarize.py"]
    for key in ("workflow/raw_counts.parquet", "workflow/qc_counts.parquet", "workflow/summary.parquet"):
        assert f'["{key}"]' in mermaid
    assert mermaid.count(" --> ") == 5  # raw → qc step → qc → summary step → summary, plus ingest → raw

    check = (
        "import biolake as ln\n"
        "pipeline = ln.Run.get(transform__key='rnaseq-workflow')\n"
        "steps = sorted(r.transform.key for r in pipeline.initiated_runs.all())\n"
        "print(steps, ln.Run.get(transform__key='step2_qc.py').params)\n"
    )
    out = subprocess.run(["python", "-c", check], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "['step1_ingest.py', 'step2_qc.py', 'step3_summarize.py'] {'min_count': 5}", out.stderr
