"""Benchmark of lineage tracking; prints one JSON object.

Measures, on a temporary SQLite instance:
- ``track_finish_s``: ``ln.track()`` + ``ln.finish()`` inside a script (target < 0.3 s together),
  and whether capturing the environment spawned a subprocess (it must not: importlib.metadata);
- ``tracked_script_s``: wall time of a whole tracked script process, ``python script.py``
  (import, track, finish; target ≤ 0.5 s), against ``python -c pass`` and an untracked script
  that only touches the registries, measured in the same run. Processes run with bytecode
  caches (in a folder of the run), as an installed package does.

Usage: python benchmarks/lineage.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRACKED = '''\
import json, subprocess, time
spawned = []
_popen = subprocess.Popen.__init__
def _count(self, *args, **kwargs):
    spawned.append(args[0] if args else kwargs.get("args"))
    return _popen(self, *args, **kwargs)
subprocess.Popen.__init__ = _count
import biolake as ln
ln.Artifact  # connect first: the registries' own start-up is not tracking overhead
t0 = time.perf_counter()
ln.track(params={"n": 1})
t1 = time.perf_counter()
ln.finish()
t2 = time.perf_counter()
print(json.dumps({"track_s": t1 - t0, "finish_s": t2 - t1, "subprocesses": [str(s) for s in spawned]}))
'''
TRACKED_PLAIN = "import biolake as ln\nln.track()\nln.finish()\n"
UNTRACKED = "import biolake as ln\nln.Artifact.filter().count()\n"


def _wall(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="repetitions of each process (median reported)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="biolake-bench-lineage-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "BIOLAKE_HOME": str(folder / "home"), "BIOLAKE_QUIET": "1"}
        env.pop("BIOLAKE_RUN_UID", None)
        # processes run with bytecode caches, as an installed package does (pip compiles at
        # install time); they go to a folder of the run, not into the source tree
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        subprocess.run([sys.executable, "-c", "import biolake as ln; ln.setup.init(storage='data')"],
                       env=env, cwd=folder, check=True, capture_output=True)
        (folder / "tracked.py").write_text(TRACKED)
        (folder / "plain.py").write_text(TRACKED_PLAIN)
        (folder / "untracked.py").write_text(UNTRACKED)
        _wall([sys.executable, "untracked.py"], env, folder)  # warm-up: bytecode caches, page cache
        inner = []
        for _ in range(options.runs):
            out = subprocess.run([sys.executable, "tracked.py"], env=env, cwd=folder, check=True, capture_output=True, text=True)
            inner.append(json.loads(out.stdout.strip().splitlines()[-1]))
        python = [_wall([sys.executable, "-c", "pass"], env, folder) for _ in range(options.runs)]
        untracked = [_wall([sys.executable, "untracked.py"], env, folder) for _ in range(options.runs)]
        tracked = [_wall([sys.executable, "plain.py"], env, folder) for _ in range(options.runs)]
    track_finish = statistics.median(r["track_s"] + r["finish_s"] for r in inner)
    whole = statistics.median(tracked)
    result = {
        "benchmark": "biolake lineage",
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "track_finish_s": {
            "value": round(track_finish, 4), "target": {"max": 0.3}, "meets_target": track_finish < 0.3,
            "track_median_s": round(statistics.median(r["track_s"] for r in inner), 4),
            "finish_median_s": round(statistics.median(r["finish_s"] for r in inner), 4),
            "subprocesses_spawned": sorted({s for r in inner for s in r["subprocesses"]}),
        },
        "tracked_script_s": {
            "value": round(whole, 4), "target": {"max": 0.5}, "meets_target": whole <= 0.5,
            "baseline": {"python_pass_s": round(statistics.median(python), 4),
                         "untracked_registry_script_s": round(statistics.median(untracked), 4)},
            "ratio": {"vs_untracked_script": round(whole / statistics.median(untracked), 2)},
            "reference_implementation_s": 1.6,
        },
    }
    result["targets_met"] = f"{sum(v['meets_target'] for k, v in result.items() if isinstance(v, dict) and 'meets_target' in v)}/2"
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
