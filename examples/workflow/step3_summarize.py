"""Summarize the QC'd counts."""
import pandas as pd

import biolake as ln

ln.track()
qc = ln.Artifact.get(key="workflow/qc_counts.parquet").load()
summary = pd.DataFrame({"n_genes": [len(qc)], "total": [int(qc["count"].sum())]})
ln.Artifact.from_df(summary, key="workflow/summary.parquet", description="summary").save()
ln.finish()
