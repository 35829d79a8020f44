"""Benchmark of the web UI (``biolake serve``): the server time of every page on a large instance.

Creates a temporary SQLite instance with 100,000 artifacts, 1,000 runs and 5,000 labels
(``--quick``: a tenth), then times each page through Django's test client (no network: the
server's own time), median of ``--repeat`` requests. Prints one JSON object: per page the
median in ms against the 100 ms target, and the artifact list's page 1,000 against page 1
(keyset pagination: the ratio should stay near 1).

    python benchmarks/web.py [--quick] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_MS = 100.0
ALPHABET = string.ascii_letters + string.digits


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def uid(n: int, rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def populate(ln: Any, n_artifacts: int, n_runs: int, n_labels: int) -> dict[str, Any]:
    """Bulk-create the records (plus one real artifact made by a run, for the detail pages)."""
    import pandas as pd
    from django.db import transaction

    from biolake import _process
    from biolake.models import ArtifactULabel

    rng = random.Random(0)
    storage_id = ln.Storage.filter().first().pk
    user_id = ln.User.filter().first().pk
    start = time.perf_counter()
    with transaction.atomic():
        labels = ln.ULabel.objects.bulk_create(
            [ln.ULabel(uid=uid(8, rng), name=f"label{i}", created_by_id=user_id) for i in range(n_labels)], batch_size=1000)
        transform = ln.Transform(key="bench.py", type="script", source_code="print('hello')\n" * 50).save()
        ln.Run.objects.bulk_create(
            [ln.Run(uid=uid(16, rng), transform=transform, status="completed", params={"i": i}, created_by_id=user_id)
             for i in range(n_runs)], batch_size=1000)
        ln.Artifact.objects.bulk_create([
            ln.Artifact(uid=uid(16, rng) + "0000", key=f"grp{i // 100}/f{i % 100}.parquet", storage_id=storage_id,
                        suffix=".parquet", kind="dataset", otype="DataFrame", size=1000 + i, hash=secrets.token_hex(32),
                        hash_type="blake3", n_observations=3, created_by_id=user_id)
            for i in range(n_artifacts)], batch_size=2000)
        ids = list(ln.Artifact.objects.values_list("id", flat=True)[:n_artifacts])
        ArtifactULabel.objects.bulk_create(
            [ArtifactULabel(artifact_id=a, ulabel_id=labels[i % len(labels)].pk) for i, a in enumerate(ids)], batch_size=2000)
    log(f"bulk-created {n_artifacts} artifacts, {n_runs} runs, {n_labels} labels in {time.perf_counter() - start:.1f} s")
    run = ln.Run(transform=transform, params={"lr": 0.1}).save()
    token = _process.run.set(run)
    try:
        real = ln.Artifact.from_df(pd.DataFrame({"a": [1, 2, 3]}), key="bench/real.parquet").save()
    finally:
        _process.run.reset(token)
    return {"real": real, "run": run, "transform": transform, "label": labels[7]}


def time_page(client: Any, url: str, repeat: int) -> float:
    client.get(url)  # warm: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(times)


def cursor_of_page(ln: Any, page: int) -> str:
    """The ``after`` cursor that opens ``page`` (1-based) of the newest-first artifact list."""
    from biolake.web import paging

    row = ln.Artifact.filter(is_latest=True).order_by("-created_at", "-pk")[(page - 1) * paging.PAGE_SIZE - 1]
    return f"{row.created_at.isoformat()}~{row.pk}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the records")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    home = tempfile.mkdtemp(prefix="biolake-bench-web-")
    os.environ["BIOLAKE_HOME"] = home
    os.environ["BIOLAKE_QUIET"] = "1"
    try:
        import biolake as ln
        from urllib.parse import quote

        ln.setup.init(storage=str(Path(home) / "storage"), name="benchweb")
        records = populate(ln, 100_000 // scale, 1_000 // scale, 5_000 // scale)
        from django.test import Client

        from biolake.web.app import configure
        from biolake.web.config import WebConfig

        configure(WebConfig())
        client = Client()
        last_page = min(1000, (100_000 // scale) // 50)
        real, run, transform, label = records["real"], records["run"], records["transform"], records["label"]
        pages = {
            "home": "/",
            "artifacts page 1": "/artifacts/",
            f"artifacts page {last_page}": f"/artifacts/?after={quote(cursor_of_page(ln, last_page))}",
            "artifacts sorted by key": "/artifacts/?sort=key",
            "artifacts search": "/artifacts/?q=grp12/",
            "artifacts by label": f"/artifacts/?label={label.name}",
            "artifact": f"/artifacts/{real.uid}/",
            "lineage json": f"/lineage/artifact/{real.uid}.json",
            "transform": f"/transforms/{transform.uid}/",
            "runs": "/runs/",
            "run": f"/runs/{run.uid}/",
            "registries": "/registries/",
            "ULabel list": "/registries/ULabel/",
            "ULabel record": f"/registries/ULabel/{label.uid}/",
            "search": "/search/?q=label12",
        }
        results = {}
        for name, url in pages.items():
            ms = time_page(client, url, args.repeat)
            results[name] = {"median_ms": round(ms, 1), "target_ms": TARGET_MS, "ok": ms <= TARGET_MS}
            log(f"{name:28s} {ms:8.1f} ms")
        first, last = results["artifacts page 1"]["median_ms"], results[f"artifacts page {last_page}"]["median_ms"]
        out = {
            "records": {"artifacts": 100_000 // scale, "runs": 1_000 // scale, "labels": 5_000 // scale},
            "pages": results,
            "keyset": {"page_1_ms": first, f"page_{last_page}_ms": last, "ratio": round(last / first, 2)},
            "all_ok": all(r["ok"] for r in results.values()),
        }
        print(json.dumps(out, indent=2))
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
