#!/usr/bin/env python
"""Safety figures: bad input probes, injected crashes, and what was lost or left behind.

Prints one JSON object to stdout; progress goes to stderr. Everything runs in a fresh
temporary ``BIOLAKE_HOME`` with a temporary SQLite instance on local storage (and one on
S3 when ``BIOLAKE_TEST_S3_ENDPOINT`` is set), removed at the end.

1. **Probes.** Seeded random bad input thrown at the API: lookups (``filter``/``exclude``/
   ``get`` with random fields, operators and values), record constructors
   (``ULabel(...)``, ``Artifact(data, key=...)``, then ``save()``), and corrupted stored files
   (truncated, bit-flipped, appended, emptied, deleted) loaded back. Each outcome is counted
   as success, a biolake error, or a *raw* error (any other exception: must be 0).
2. **Faults.** A save in a child process killed with SIGKILL at each phase (``write``,
   ``before-upload``, ``mid-upload``, ``after-upload``, ``after-commit``) through the
   ``BIOLAKE_FAULT`` hook, per storage location; then ``biolake cache clear`` and
   ``biolake storage gc --min-age 0 --remove``.
3. **Lost and left.** ``records_without_bytes`` (records whose bytes are missing or differ),
   ``committed_records_lost`` (a save killed after its commit whose record is gone),
   ``half_records`` (records left by a failed probe), ``temp_files_left`` after cache clear,
   ``orphans_unlisted`` (unowned files under ``.biolake/`` that gc did not list). All must be 0.

Usage::

    python benchmarks/safety.py            # about a minute here
    python benchmarks/safety.py --quick    # fewer probes
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

_T0 = time.perf_counter()
SRC = str(Path(__file__).resolve().parents[1] / "src")
CHILD = str(Path(__file__).resolve().parent / "save_child.py")  # shared with tests/safety
FIELDS = ["key", "uid", "size", "hash", "created_at", "is_latest", "storage", "ulabels", "run", "n_files",
          "storage__root", "ulabels__name", "bogus", "id"]
OPERATORS = ["", "exact", "iexact", "in", "gt", "lt", "startswith", "isnull", "range", "year", "regex", "foo"]


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[safety {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def _value(rng: random.Random) -> Any:
    return rng.choice([
        None, True, -(2**70), 2**70, 0, 3.5, float("nan"), "", "abc", "(", "nul\x00", [1, "a"], [], b"\x00",
        "2020-01-01", {"a": 1},
    ])


def _outcome(errors: Any, call: Any, counts: Counter[str]) -> bool:
    """Run ``call``; count success, biolake error or raw error; return whether it succeeded."""
    try:
        call()
    except errors.BiolakeError:
        counts["biolake_error"] += 1
        return False
    except Exception as error:  # noqa: BLE001 - what this benchmark counts
        counts["raw_error"] += 1
        counts[f"raw:{type(error).__name__}"] += 1
        return False
    counts["success"] += 1
    return True


def probe_lookups(ln: Any, rng: random.Random, n: int, counts: Counter[str]) -> None:
    from biolake import errors

    for _ in range(n):
        field, op = rng.choice(FIELDS), rng.choice(OPERATORS)
        lookups = {field + (f"__{op}" if op else ""): _value(rng)}
        registry = rng.choice([ln.Artifact, ln.ULabel])
        call = rng.choice([
            lambda: list(registry.filter(**lookups)[:3]),
            lambda: registry.exclude(**lookups).count(),
            lambda: registry.get(**lookups),
        ])
        _outcome(errors, call, counts)


def probe_constructors(ln: Any, rng: random.Random, n: int, tmp: Path, counts: Counter[str], half: Counter[str]) -> None:
    import pandas as pd

    from biolake import errors

    small = tmp / "small.csv"
    small.write_text("a,b\n1,2\n")
    datas = [None, 42, 3.5, b"x", {"a": 1}, str(small), str(tmp / "absent.csv"), "bad\x00path",
             pd.DataFrame({"mixed": [1, "a"]}), "df"]
    keys = [None, "a.parquet", "../x.parquet", "/abs.csv", "x.csv", "", "a//b.csv", ".biolake/x.csv", "k\x00.csv"]
    for i in range(n):
        before = (ln.Artifact._plain.count(), ln.ULabel._plain.count())
        if rng.random() < 0.5:
            fields = {rng.choice(["name", "description", "is_type", "type", "uid", "bogus"]): _value(rng) for _ in range(2)}
            ok = _outcome(errors, lambda: ln.ULabel(**fields).save(), counts)
        else:
            data = rng.choice(datas)
            data = pd.DataFrame({"v": [i, rng.random()]}) if isinstance(data, str) and data == "df" else data
            key = rng.choice(keys)
            if isinstance(data, pd.DataFrame) and key is not None and rng.random() < 0.7:
                key = f"probe/{i}.parquet"
            ok = _outcome(errors, lambda: ln.Artifact(data, key=key).save(), counts)
        if not ok and (ln.Artifact._plain.count(), ln.ULabel._plain.count()) != before:
            half["records"] += 1  # a failed save that left a record
    saving = ln.settings.cache_dir / "_tmp"
    half["stray_temp_files"] += len(list(saving.iterdir())) if saving.is_dir() else 0


def probe_corruptions(ln: Any, rng: random.Random, n: int, counts: Counter[str]) -> int:
    import pandas as pd

    from biolake import errors

    artifact = ln.Artifact.from_df(pd.DataFrame({"c": range(300)}), key="probe/corrupt.parquet").save()
    stored = Path(artifact.path.path)
    original = stored.read_bytes()
    undetected = 0
    for _ in range(n):
        kind, offset = rng.choice(["truncate", "flip", "append", "empty", "delete"]), rng.randrange(len(original))
        if kind == "delete":
            stored.unlink()
        else:
            damaged = {
                "truncate": original[:offset], "append": original + b"\x01", "empty": b"",
                "flip": original[:offset] + bytes([original[offset] ^ 0x10]) + original[offset + 1 :],
            }[kind]
            stored.write_bytes(damaged)
        undetected += _outcome(errors, lambda: ln.Artifact.get(artifact.uid).load(), counts)  # loaded damaged bytes
        stored.write_bytes(original)
    return undetected


def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from biolake.cli import main

    return CliRunner().invoke(main, list(args))


def inject_faults(ln: Any, name: str, root: str, where: str, work: Path) -> dict[str, Any]:
    from biolake._faults import PHASES
    from biolake.models.storage_audit import verify_all

    env = {**os.environ, "PYTHONPATH": SRC}
    children = {}
    for phase in PHASES:
        mode = "file" if (phase == "mid-upload" and where == "local") else "df"
        child_env = {**env, "BIOLAKE_FAULT": phase}
        children[phase] = subprocess.Popen(
            [sys.executable, CHILD, name, f"kill/{phase}.parquet", mode, str(work)],
            env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
    killed = sum(child.wait(timeout=300) == -signal.SIGKILL for child in children.values())
    ln.connect(name)
    reports = verify_all()
    saving = ln.settings.cache_dir / "_tmp"
    temp_before = len(list(saving.iterdir())) if saving.is_dir() else 0
    _cli("cache", "clear")
    temp_after = len(list(saving.iterdir())) if saving.is_dir() else 0
    gc = _cli("storage", "gc", "--min-age", "0")
    owned = {r.uid for r in reports}
    folder = ln.Storage.get(root=root).location.join(".biolake")
    folder.fs.invalidate_cache()
    names = [e.rstrip("/").rsplit("/", 1)[-1] for e in folder.fs.ls(folder.path, detail=False)]
    unowned = [n for n in names if not n.startswith("biolake.sqlite3") and n[:20] not in owned]
    _cli("storage", "gc", "--min-age", "0", "--remove")
    return {
        "faults_injected": len(children),
        "killed": killed,
        "records_without_bytes": sum(r.status in ("missing", "mismatch") for r in reports),
        "committed_records_lost": int(not ln.Artifact.filter(key="kill/after-commit.parquet").exists()),
        "temp_files_after_kills": temp_before,
        "temp_files_left": temp_after,
        "orphans_listed": sum(n in gc.stdout for n in unowned),
        "orphans_unlisted": sum(n not in gc.stdout for n in unowned),
    }


def _instances(ln: Any, tmp: Path) -> list[tuple[str, str, str]]:
    made = [("local", ln.setup.init(storage=str(tmp / "local"), name="safetylocal"))]
    endpoint = os.environ.get("BIOLAKE_TEST_S3_ENDPOINT")
    if endpoint:
        import boto3

        bucket = f"safety-{uuid.uuid4().hex[:10]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
        storage = f"s3://{bucket}/lake?endpoint_url={endpoint}"
        made.append(("s3", ln.setup.init(storage=storage, db=f"sqlite:///{tmp}/s3.sqlite3", name="safetys3")))
    return [(where, inst.name, inst.storage_root) for where, inst in made]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer probes")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    n = 40 if args.quick else 200
    tmp = Path(tempfile.mkdtemp(prefix="biolake-safety-"))
    os.environ["BIOLAKE_HOME"] = str(tmp / "home")
    os.environ.setdefault("BIOLAKE_QUIET", "1")
    try:
        import biolake as ln

        rng = random.Random(args.seed)
        instances = _instances(ln, tmp)
        ln.connect(instances[0][1])
        counts: Counter[str] = Counter()
        half: Counter[str] = Counter()
        log(f"{n} lookup probes")
        probe_lookups(ln, rng, n, counts)
        log(f"{n // 2} constructor probes")
        probe_constructors(ln, rng, n // 2, tmp, counts, half)
        log(f"{n // 4} corrupted-file probes")
        undetected = probe_corruptions(ln, rng, n // 4, counts)
        faults = {}
        for where, name, root in instances:
            log(f"killing saves at every phase ({where})")
            faults[where] = inject_faults(ln, name, root, where, tmp)
        totals = Counter()
        for figures in faults.values():
            totals.update(figures)
        result = {
            "probes_tried": n + n // 2 + n // 4,
            "probe_outcomes": {k: v for k, v in counts.items() if not k.startswith("raw:")},
            "raw_errors": {k[4:]: v for k, v in counts.items() if k.startswith("raw:")},
            "corruptions_loaded_silently": undetected,
            "half_records": half["records"],
            "stray_temp_files_after_probes": half["stray_temp_files"],
            "faults_injected": totals["faults_injected"],
            "faults": faults,
            "records_lost": totals["committed_records_lost"],
            "records_without_bytes": totals["records_without_bytes"],
            "bytes_lost": totals["records_without_bytes"],
            "temp_files_left": totals["temp_files_left"],
            "orphans_unlisted": totals["orphans_unlisted"],
            "seconds": round(time.perf_counter() - _T0, 1),
        }
        result["all_zero"] = not any(
            result[k] for k in ("raw_errors", "corruptions_loaded_silently", "half_records", "stray_temp_files_after_probes", "records_lost",
                                "bytes_lost", "temp_files_left", "orphans_unlisted")
        )
        print(json.dumps(result, indent=2))
        if not result["all_zero"]:
            sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
