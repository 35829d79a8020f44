#!/usr/bin/env python
"""The lamindb side of ``benchmarks/core.py --lamindb-python PATH`` (run by that interpreter).

Not part of biolake and never imported by it: ``core.py`` starts this script with the Python
of a separate virtual environment that has lamindb installed, and sends it one JSON request
per line on stdin; each answer is one JSON line on the original stdout (lamindb's own
messages are sent to stderr). Timings are taken here, around the operation only, with
``time.perf_counter``, so the pipe adds nothing to them.

Requests (``{"op": ...}``):

- ``init``: ``{"storage": DIR}``: create a local SQLite instance (``ln.setup.init``).
- ``fill``: ``{"total": N, "group_size": G, "seed": S}``: bring the artifact registry to N
  records, keys ``grp<g>/f<j>.parquet`` (G per group), with Django's ``bulk_create``.
- ``save``: ``{"columns": {...}, "key": K}``: time ``Artifact.from_dataframe(df, key=K).save()``.
- ``filter``: ``{"prefix": P}``: time ``Artifact.filter(key__startswith=P).to_dataframe(limit=None)``.
- ``register``: ``{"path": F, "key": K}``: copy F to ``<storage root>/K`` and
  ``Artifact(<that path>, key=K).save()`` (not timed).
- ``load``: ``{"key": K}``: time ``artifact.load()`` (the record is fetched before the clock starts).
- ``quit``.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import string
import sys
import time
from typing import Any

_OUT = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
sys.stdout = sys.stderr  # lamindb prints its messages: keep them off the answer channel

ln: Any = None


def _init(request: dict[str, Any]) -> dict[str, Any]:
    global ln
    import lamindb_setup

    lamindb_setup.init(storage=request["storage"])
    import lamindb

    ln = lamindb
    return {"version": lamindb.__version__, "django": __import__("django").__version__}


def _fill(request: dict[str, Any]) -> dict[str, Any]:
    """Field-only artifact records, as core.py's biolake side does (no bytes behind them)."""
    from django.db import transaction
    from django.db.models import Model

    total, group_size = int(request["total"]), int(request["group_size"])
    existing = ln.Artifact.filter().count()
    template = ln.Artifact.filter().order_by("id").first()
    if template is None:
        raise RuntimeError("fill needs one saved artifact to copy its storage, user and run fields")
    fields = {f.attname: getattr(template, f.attname) for f in ln.Artifact._meta.concrete_fields if f.attname != "id"}
    rng = random.Random(int(request.get("seed", 6)))
    alphabet = string.ascii_letters + string.digits
    records = []
    for i in range(max(total - existing, 0)):
        g, j = divmod(i, group_size)
        record = ln.Artifact.__new__(ln.Artifact)
        Model.__init__(  # Django's plain constructor: lamindb's own needs data to describe
            record,
            **{
                **fields,
                "uid": "".join(rng.choices(alphabet, k=16)) + "0000",
                "key": f"grp{g}/f{j}.parquet",
                "hash": secrets.token_hex(11),
                "size": 1000 + i,
                "is_latest": True,
            },
        )
        records.append(record)
    start = time.perf_counter()
    with transaction.atomic():
        ln.Artifact.objects.bulk_create(records, batch_size=1000)
    return {"created": len(records), "s": time.perf_counter() - start, "total": ln.Artifact.filter().count()}


def _save(request: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    df = pd.DataFrame(request["columns"])
    start = time.perf_counter()
    ln.Artifact.from_dataframe(df, key=request["key"]).save()
    return {"s": time.perf_counter() - start}


def _filter(request: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    df = ln.Artifact.filter(key__startswith=request["prefix"]).to_dataframe(limit=None)
    elapsed = time.perf_counter() - start
    return {"s": elapsed, "rows": len(df), "columns": [str(c) for c in df.columns]}


def _register(request: dict[str, Any]) -> dict[str, Any]:
    """Copied into the storage root first: registering a path outside it asks LaminHub (network)."""
    import shutil
    from pathlib import Path

    inside = Path(str(ln.setup.settings.storage.root)) / request["key"]
    inside.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(request["path"], inside)
    artifact = ln.Artifact(str(inside), key=request["key"]).save()
    return {"size": artifact.size}


def _load(request: dict[str, Any]) -> dict[str, Any]:
    artifact = ln.Artifact.get(key=request["key"])
    start = time.perf_counter()
    df = artifact.load()
    elapsed = time.perf_counter() - start
    return {"s": elapsed, "shape": list(df.shape)}


def _count(request: dict[str, Any]) -> dict[str, Any]:
    return {"count": ln.Artifact.filter().count()}


OPS = {"init": _init, "fill": _fill, "save": _save, "filter": _filter, "register": _register, "load": _load, "count": _count}


def main() -> int:
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("op") == "quit":
            break
        try:
            answer = OPS[request["op"]](request)
        except Exception as error:  # noqa: BLE001 - the parent records it and goes on
            import traceback

            traceback.print_exc(file=sys.stderr)
            answer = {"error": f"{type(error).__name__}: {error}"}
        _OUT.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
