"""Ingest raw counts."""
import pandas as pd

import biolake as ln

ln.track()
counts = pd.DataFrame(
    {"gene": ["CD8A", "CD4", "CD14", "MS4A1", "NKG7"], "count": [12, 3, 25, 1, 8]}
)
ln.Artifact.from_df(counts, key="workflow/raw_counts.parquet", description="raw counts").save()
ln.finish()
