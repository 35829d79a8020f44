"""Filter genes with low counts."""
import argparse

import biolake as ln

parser = argparse.ArgumentParser()
parser.add_argument("--min-count", type=int, default=5)
args = parser.parse_args()

ln.track(params={"min_count": args.min_count})
raw = ln.Artifact.get(key="workflow/raw_counts.parquet").load()
kept = raw[raw["count"] >= args.min_count]
ln.Artifact.from_df(kept, key="workflow/qc_counts.parquet", description="counts after QC").save()
ln.finish()
