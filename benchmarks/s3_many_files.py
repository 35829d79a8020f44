#!/usr/bin/env python
"""A folder of many small files to S3: biolake's verified upload vs one raw ``s3fs`` ``put``.

Prints one JSON object to stdout; progress goes to stderr. 30,000 files of 16-79 bytes in
30 sub-folders (``--files``) go to a moto server on a free loopback port (or
``BIOLAKE_TEST_S3_ENDPOINT`` with ``--endpoint-from-env``), first with ``s3fs``'s ``put`` of
the lists (the baseline), then with ``biolake.storage.transfer.put(..., fresh=True)`` as a
folder artifact's save does (concurrent batches, one listing afterwards, every object checked
for presence, size and MD5). Reported: both times, ``ratio`` (biolake / raw throughput), the
HTTP requests biolake sent by method, and the check that all files arrived (``unverified``
must be 0, the remote folder summary must match the local one).

This measurement was ``tests/s3/test_s3_many_files.py::test_thirty_thousand_small_files``
(about 190 s of the test suite); the test now uploads a few hundred files.

Usage::

    python benchmarks/s3_many_files.py              # 30,000 files, a few minutes here
    python benchmarks/s3_many_files.py --files 3000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[s3_many_files {time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def rnd(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}") if value else 0.0


def make_folder(folder: Path, n: int) -> None:
    for i in range(n):
        sub = folder / f"plate{i % 30:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"cell{i:05d}.txt").write_bytes(os.urandom(16 + i % 64))


def count_requests() -> Counter[str]:
    """Count the HTTP requests of every aiobotocore client in this process, by method."""
    from aiobotocore.httpsession import AIOHTTPSession

    methods: Counter[str] = Counter()
    original = AIOHTTPSession.send

    async def counting_send(self: Any, request: Any) -> Any:
        methods[request.method] += 1
        return await original(self, request)

    AIOHTTPSession.send = counting_send  # type: ignore[method-assign]
    return methods


def measure(endpoint: str, work: Path, n_files: int) -> dict[str, Any]:
    import s3fs

    from biolake.storage import _listing, upload
    from biolake.storage.hashing import summarize_dir
    from biolake.storage.paths import create_path
    from biolake.storage.transfer import put

    bucket = f"many-{uuid.uuid4().hex[:8]}"
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, key="testing", secret="testing")
    fs.mkdir(bucket)
    raw_folder, lake_folder = work / "raw", work / "lake"
    make_folder(raw_folder, n_files)
    make_folder(lake_folder, n_files)
    log(f"{n_files} files each side, to {endpoint}")

    entries = _listing.walk(create_path(raw_folder))
    t = time.perf_counter()
    fs.put([e.path for e in entries], [f"{bucket}/raw/{e.key}" for e in entries])
    raw_s = time.perf_counter() - t
    log(f"s3fs put: {raw_s:.1f} s")

    destination = create_path(f"s3://{bucket}/lake", endpoint_url=endpoint, key="testing", secret="testing")
    methods = count_requests()
    t = time.perf_counter()
    put(lake_folder, destination, fresh=True)
    lake_s = time.perf_counter() - t
    sent = dict(methods)
    log(f"biolake put: {lake_s:.1f} s")

    pairs = upload.pairs_for(lake_folder, destination.path, _listing.walk(create_path(lake_folder)))
    remote, local = summarize_dir(destination), summarize_dir(lake_folder)
    return {
        "files": n_files,
        "s3fs_put_s": rnd(raw_s),
        "biolake_put_s": rnd(lake_s),
        "ratio": rnd(raw_s / lake_s, 3),
        "ratio_note": "throughput of biolake / throughput of one raw s3fs put of the lists (1.0 = no overhead)",
        "biolake_requests": sent,
        "requests_besides_puts": sum(sent.values()) - sent.get("PUT", 0),
        "unverified": len(upload.unverified(destination.fs, pairs)),
        "remote_matches_local": (remote.n_files, remote.size) == (local.n_files, local.size),
    }


def start_moto(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_file = open(work / "moto.log", "wb")  # noqa: SIM115 - the server's output, closed with the folder
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log_file, stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"moto server did not start on port {port}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=30_000, help="files per side (default 30,000)")
    parser.add_argument("--endpoint-from-env", action="store_true", help="use BIOLAKE_TEST_S3_ENDPOINT instead of a new moto server")
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    work = Path(tempfile.mkdtemp(prefix="biolake-many-files-"))
    server = None
    try:
        if args.endpoint_from_env:
            endpoint = os.environ["BIOLAKE_TEST_S3_ENDPOINT"]
        else:
            server, endpoint = start_moto(work)
        result: dict[str, Any] = {"benchmark": "s3_many_files", **measure(endpoint, work, args.files)}
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    result["elapsed_s"] = rnd(time.perf_counter() - _T0)
    print(json.dumps(result, indent=2))
    ok = result["unverified"] == 0 and result["remote_matches_local"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
