"""Save one artifact in this process: ``save_child.py INSTANCE KEY df|file WORKDIR``.

A child process for crash tests (``BIOLAKE_FAULT=<phase>`` kills it at that phase): used by
``benchmarks/safety.py`` and ``tests/safety``.
"""

import os
import sys

import numpy as np
import pandas as pd

import biolake as ln

name, key, mode, work = sys.argv[1:5]
ln.connect(name)
df = pd.DataFrame({"x": np.arange(2000) + os.getpid(), "tag": [key] * 2000})
if mode == "file":
    path = os.path.join(work, f"child{os.getpid()}.parquet")
    df.to_parquet(path)
    ln.Artifact(path, key=key).save()
else:
    ln.Artifact.from_df(df, key=key).save()
print("saved", flush=True)
