"""A script as a LaminDB 2.x user writes it, with the names the 2.x line introduced.

The only lines that differ from LaminDB code are the two imports below. ``OTHER_INSTANCE``
names a second instance to read with ``ln.DB``.
"""

import os

import pandas as pd

import biolake as ln  # LaminDB: import lamindb as ln
from biolake import bio as bt  # LaminDB: import bionty as bt

ln.track()

# -- features from a DataFrame, typed features ------------------------------------------------
df = ln.examples.datasets.mini_immuno.get_dataset1(otype="DataFrame")
ln.Feature.from_dataframe(df[["treatment_time_h", "sample_note"]]).save()
assert ln.Feature.get(name="treatment_time_h").dtype == "int"
study_features = ln.Feature(name="StudyMetadata", is_type=True).save()
ln.Feature(name="temperature", dtype=float, type=study_features).save()
ln.Feature(name="study_note", dtype=str, type=study_features).save()
ln.Feature(name="experiment", dtype=ln.ULabel, type=study_features).save()
ln.ULabel.from_values(["Experiment 1", "Experiment 2"], create=True).save()
assert ln.Feature.filter(type=study_features).to_list("name") == ["temperature", "study_note", "experiment"]


# -- a workflow of functions -----------------------------------------------------------------
@ln.step()
def subset(artifact: ln.Artifact, n: int) -> ln.Artifact:
    data = artifact.load().head(n)
    return ln.Artifact.from_dataframe(data, key=f"examples/dataset1_head{n}.parquet").save()


@ln.flow()
def ingest(key: str) -> ln.Artifact:
    artifact = ln.Artifact.from_dataframe(df, key=key, description="mini immuno dataset 1").save()
    artifact.features.add_values({"temperature": 21.6, "study_note": "first pass", "experiment": "Experiment 1"})
    subset(artifact, n=2)
    return artifact


artifact = ingest("examples/dataset1.parquet")
head = ln.Artifact.get(key="examples/dataset1_head2.parquet")
assert head.run.initiated_by_run == artifact.run
assert artifact.run.initiated_by_run == ln.context.run  # the flow ran inside the script's run

# replace the feature values
artifact.features.set_values({"temperature": 22.1, "experiment": "Experiment 2"})
assert artifact.features.get_values() == {"temperature": 22.1, "experiment": "Experiment 2"}

# -- queries as DataFrames and lists ---------------------------------------------------------
table = ln.Artifact.filter(key__startswith="examples/").to_dataframe(include=["ulabels__name"], features=True)
assert table.loc[artifact.id, "temperature"] == 22.1 and table.loc[artifact.id, "experiment"] == "Experiment 2"
assert ln.Artifact.filter(key__startswith="examples/").to_dataframe(limit=1).shape[0] == 1
keys = ln.Artifact.filter(key__startswith="examples/").order_by("key").to_list("key")
assert keys == ["examples/dataset1.parquet", "examples/dataset1_head2.parquet"]
assert ln.Artifact.to_dataframe().shape[0] <= 100

# -- transforms: kind and version_tag ---------------------------------------------------------
ln.Transform(key="Cell Ranger", kind="pipeline", version_tag="7.2.0").save()
transform = ln.Transform.get(key="Cell Ranger", version_tag="7.2.0")
assert transform.kind == "pipeline"
run = ln.Run(transform, params={"chemistry": "auto"}).save()
assert ln.Transform.filter(kind="pipeline").count() == 1

# -- artifacts: skip_hash_lookup, get(path=), key_is_virtual -----------------------------------
csv_path = ln.examples.datasets.file_mini_csv()
first = ln.Artifact(csv_path, key="examples/mini.csv").save()
again = ln.Artifact(csv_path, key="examples/mini_copy.csv", skip_hash_lookup=True).save()
assert again.uid != first.uid and again.hash == first.hash
assert ln.Artifact.get(path=first.path) == first
real = ln.Artifact(csv_path, key="raw/mini.csv", key_is_virtual=False, skip_hash_lookup=True).save()
assert real.path.as_posix().endswith("raw/mini.csv")
assert ln.Artifact.get(path=real.path) == real

# -- delete: to the trash or for good, on any registry -----------------------------------------
again.delete()  # artifacts go to the trash first
assert ln.Artifact.filter(key="examples/mini_copy.csv").count() == 0
again.restore()
again.delete(permanent=True)
obsolete = ln.ULabel(name="obsolete").save()
obsolete.delete(permanent=True)
assert ln.ULabel.filter(name="obsolete").count() == 0
run.delete(permanent=True)
bt.CellType.from_source(name="T cell").save().delete(permanent=True)
assert bt.CellType.filter(name="T cell").count() == 0

# -- collections ------------------------------------------------------------------------------
collection = ln.Collection([artifact, head], key="examples/collection", version_tag="1").save()
assert collection.version_tag == "1" and collection.artifacts.count() == 2

# -- another instance --------------------------------------------------------------------------
db = ln.DB(os.environ["OTHER_INSTANCE"])
assert db.ULabel.filter(name="label in the other instance").to_list("name") == ["label in the other instance"]
assert db.Artifact.filter(key__startswith="examples/").to_dataframe().empty

# -- example data -------------------------------------------------------------------------------
adata = ln.examples.datasets.mini_immuno.get_dataset1(otype="AnnData")
assert isinstance(pd.DataFrame(adata.X), pd.DataFrame) and adata.n_obs == 3

ln.finish()
