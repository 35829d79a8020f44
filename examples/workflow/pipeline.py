"""The workflow as one tracked pipeline run; each step is a tracked run of its own.

Every step runs in a subprocess (as a Snakemake or Nextflow rule would run it). ``ln.track()``
sets ``BIOLAKE_RUN_UID`` in this process's environment; a step's ``ln.track()`` reads it and
records this run as its ``initiated_by_run``. From a workflow manager, export
``BIOLAKE_RUN_UID`` in the rule's shell to link steps to a parent run the same way.
"""
import subprocess
import sys

import biolake as ln

ln.track(transform=ln.Transform(key="rnaseq-workflow", type="pipeline", version="1.0"))
for step in (["step1_ingest.py"], ["step2_qc.py", "--min-count", "5"], ["step3_summarize.py"]):
    subprocess.run([sys.executable, *step], check=True)
ln.finish()
