"""The quickstart: run after `biolake init --storage ./mydata` (scripts/quickstart.sh does both)."""

from pathlib import Path

import biolake as ln

# a DataFrame with a typo in its perturbation column ("IFNJ")
df = ln.core.datasets.small_dataset1(with_typo=True)
artifact = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()
artifact.describe()
print(artifact.load())
print(artifact.path, artifact.cache())

# fix the typo and save again: a new version in the same family
df["perturbation"] = df["perturbation"].cat.rename_categories({"IFNJ": "IFNG"})
artifact = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()
print(artifact.versions.df()[["uid", "key", "is_latest"]])
print(ln.Artifact.filter(key__startswith="my_datasets/").df()[["uid", "key", "size"]])
print(ln.Artifact.get(key="my_datasets/rnaseq1.parquet"))
print(ln.Artifact.get(artifact.uid[:16]))

# any file, any folder
Path("some/folder").mkdir(parents=True, exist_ok=True)
Path("some/file.csv").write_text("gene,count\nCD8A,10\nCD4,3\n")
for i in range(3):
    Path(f"some/folder/image{i}.txt").write_text(f"image {i}")
ln.Artifact("./some/file.csv", description="raw").save()
ln.Artifact("./some/folder", key="images/study0").save()

# AnnData, as h5ad and as zarr
adata = ln.core.datasets.small_dataset2(otype="AnnData")
a = ln.Artifact.from_anndata(adata, key="x.h5ad").save()
print(a.load())
z = ln.Artifact.from_anndata(adata, key="x.zarr", format="zarr").save()
print(z.load())

print(ln.Storage.df())
print(ln.User.df())
print(ln.Artifact.df()[["uid", "key", "suffix", "otype", "n_observations", "is_latest"]])
ln.UPath("./mydata").view_tree()
