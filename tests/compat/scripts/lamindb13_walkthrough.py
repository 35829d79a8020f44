"""A script as a LaminDB 1.3 user writes it, following the 1.3 walkthrough and guides.

The only lines that differ from LaminDB code are the two imports below.
"""

import pandas as pd

import biolake as ln  # LaminDB: import lamindb as ln
from biolake import bio as bt  # LaminDB: import bionty as bt

ln.track()

# -- artifacts ------------------------------------------------------------------------------
df = ln.core.datasets.small_dataset1(otype="DataFrame", with_typo=True)
artifact = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet", description="my RNA-seq").save()
artifact.describe()
assert artifact.load().shape == df.shape
assert ln.Artifact.filter(key__startswith="my_datasets/").df().shape[0] == 1

# a file and a new version of it
path = ln.core.datasets.file_mini_csv()
csv = ln.Artifact(path, key="my_datasets/mini.csv").save()
pd.DataFrame({"test": [1, 2, 3, 4]}).to_csv(path, index=False)
csv_v2 = ln.Artifact(path, key="my_datasets/mini.csv").save()
assert csv_v2.stem_uid == csv.stem_uid and csv_v2.is_latest
assert ln.Artifact.get(key="my_datasets/mini.csv") == csv_v2
assert len(csv_v2.versions.df()) == 2

# -- labels and features ----------------------------------------------------------------------
experiment_type = ln.ULabel(name="Experiment", is_type=True).save()
candidate = ln.ULabel(name="Candidate marker study 1", type=experiment_type).save()
artifact.ulabels.add(candidate)
ln.Feature(name="temperature", dtype=float).save()
ln.Feature(name="experiment", dtype=ln.ULabel).save()
ln.Feature(name="study_note", dtype=str).save()
artifact.features.add_values(
    {"temperature": 21.6, "experiment": "Candidate marker study 1", "study_note": "a great study"}
)
assert artifact.features.get_values()["temperature"] == 21.6
assert ln.Artifact.filter(temperature__gt=20).one() == artifact
assert ln.Artifact.filter(experiment="Candidate marker study 1").one() == artifact
assert artifact in ln.Artifact.filter(ulabels=candidate)
labels = ln.ULabel.filter(type=experiment_type).df()
assert list(labels["name"]) == ["Candidate marker study 1"]
table = ln.Artifact.filter(key__startswith="my_datasets/rnaseq").df(include=["ulabels__name", "created_by__handle"])
assert table["ulabels__name"].iloc[0] == ["Candidate marker study 1"]

# typed features
measurements = ln.Feature(name="Measurements", is_type=True).save()
ln.Feature(name="treatment_time_h", dtype=int, type=measurements).save()
assert ln.Feature.filter(type=measurements).df().shape[0] == 1

# -- curating a DataFrame against a schema --------------------------------------------------------
ln.ULabel.from_values(["DMSO", "IFNG"], create=True).save()
bt.CellType.from_values(["B cell", "T cell"]).save()
schema = ln.Schema(
    name="small_dataset1_obs_level_metadata",
    features=[
        ln.Feature(name="perturbation", dtype=ln.ULabel).save(),
        ln.Feature(name="cell_type_by_model", dtype=bt.CellType).save(),
        ln.Feature(name="sample_note", dtype=str).save(),
    ],
).save()
curator = ln.curators.DataFrameCurator(df, schema)
try:
    curator.validate()
    raise AssertionError("the typo 'IFNJ' must not validate")
except ln.errors.ValidationError as error:
    assert "IFNJ" in str(error)
assert curator.cat.non_validated == {"perturbation": ["IFNJ"]}
df["perturbation"] = df["perturbation"].cat.rename_categories({"IFNJ": "IFNG"})
curated = ln.curators.DataFrameCurator(df, schema).save_artifact(key="my_datasets/rnaseq1_curated.parquet")
assert ln.Artifact.filter(perturbation="IFNG").count() >= 1
assert set(curated.features.slots) == {"columns"}

# the 1.x flow without a schema: categoricals name registry fields
df2 = ln.core.datasets.small_dataset2(otype="DataFrame")
curator = ln.Curator.from_df(df2, categoricals={"perturbation": ln.ULabel.name, "cell_type_by_model": bt.CellType.name})
curator.validate()
artifact2 = curator.save_artifact(description="my RNA-seq dataset 2")

# -- ontologies -----------------------------------------------------------------------------
cell_types = bt.CellType.lookup()
assert cell_types.t_cell.name == "T cell"
assert bt.CellType.standardize(["T-cell"]) == ["T cell"]

# -- an AnnData against a composite schema --------------------------------------------------
adata = ln.core.datasets.small_dataset1(otype="AnnData")
var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
anndata_schema = ln.Schema(otype="AnnData", components={"obs": schema, "var": var_schema}).save()
adata.obs["perturbation"] = adata.obs["perturbation"].cat.rename_categories({"IFNJ": "IFNG"})
curated_adata = ln.curators.AnnDataCurator(adata, anndata_schema).save_artifact(key="my_datasets/rnaseq1.h5ad")
assert ln.Artifact.filter(feature_sets__genes__symbol="CD8A").count() == 1
curator = ln.Curator.from_anndata(
    adata, var_index=bt.Gene.ensembl_gene_id, categoricals={"perturbation": ln.ULabel.name}, organism="human"
)
curator.validate()

# -- collections ----------------------------------------------------------------------------
collection = ln.Collection([curated, artifact2], key="my-collection").save()
collection.describe()
assert collection.artifacts.count() == 2
collection_v2 = collection.append(artifact).save()
assert collection_v2.stem_uid == collection.stem_uid and collection_v2.artifacts.count() == 3

# -- querying and search -------------------------------------------------------------------
assert ln.Artifact.search("RNA-seq").df().shape[0] >= 1
ln.view()

ln.finish()
