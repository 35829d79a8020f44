"""``@ln.tracked()`` keeps the current run per context: concurrent calls record separate runs.

Both calls are made to overlap (a barrier for threads, a sleep for asyncio tasks), so a
run kept in a process-wide global would give both calls the same run, or the wrong inputs.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from django.db import connection

PREFIX = "tracked-concurrency/"


@pytest.fixture
def inputs(ln):
    frames = {name: pd.DataFrame({"x": [i, i + 1]}) for i, name in enumerate(["a", "b"])}
    return {name: ln.Artifact.from_df(df, key=f"{PREFIX}{name}-{id(frames)}.parquet").save() for name, df in frames.items()}


def _check(ln, inputs, outputs, transform_key):
    runs = [out.run for out in outputs.values()]
    assert runs[0].pk != runs[1].pk
    for name, out in outputs.items():
        run = out.run
        assert run.transform.key.endswith(transform_key)
        assert [a.pk for a in run.input_artifacts.all()] == [inputs[name].pk]
        assert run.params["in_key"] == inputs[name].key
        assert list(ln.Artifact.filter(run=run).values_list("pk", flat=True)) == [out.pk]
        assert run.status == "completed"
    from biolake import _process

    assert _process.run.get() is None  # each call reset its token


def test_two_threads_record_separate_runs(ln, inputs):
    barrier = threading.Barrier(2)

    @ln.tracked()
    def double(in_key: str, out_key: str):
        df = ln.Artifact.get(key=in_key).load()
        barrier.wait(timeout=60)  # both runs are current at once, in two threads
        return ln.Artifact.from_df(df * 2, key=out_key).save()

    def call(name: str):
        try:
            return double(inputs[name].key, f"{PREFIX}thread-{name}-{inputs[name].uid}.parquet")
        finally:
            connection.close()  # this thread's database connection

    with ThreadPoolExecutor(2) as pool:
        outputs = dict(zip("ab", pool.map(call, "ab")))
    for out in outputs.values():
        out.refresh_from_db()
    _check(ln, inputs, outputs, "double")


def test_two_asyncio_tasks_record_separate_runs(ln, inputs):
    @ln.tracked()
    async def triple(in_key: str, out_key: str):
        df = await asyncio.to_thread(lambda: ln.Artifact.get(key=in_key).load())
        await asyncio.sleep(0.2)  # the other task starts its run meanwhile
        return await asyncio.to_thread(lambda: ln.Artifact.from_df(df * 3, key=out_key).save())

    async def main():
        calls = [triple(inputs[n].key, f"{PREFIX}task-{n}-{inputs[n].uid}.parquet") for n in "ab"]
        return await asyncio.gather(*calls)

    outputs = dict(zip("ab", asyncio.run(main())))
    _check(ln, inputs, outputs, "triple")


def test_a_thread_without_its_own_run_uses_the_process_run(ln, inputs):
    """A run set for the whole process (as ``ln.track()`` does) reaches worker threads."""
    from biolake import _process

    transform = ln.Transform(key=f"{PREFIX}script.py", type="script").save()
    run = ln.Run(transform=transform).save()
    _process.run.set_process(run)
    try:
        def save():
            try:
                return ln.Artifact.from_df(pd.DataFrame({"y": [run.pk]}), key=f"{PREFIX}proc-{run.uid}.parquet").save()
            finally:
                connection.close()

        with ThreadPoolExecutor(1) as pool:
            out = pool.submit(save).result()
    finally:
        _process.run.set_process(None)
    assert out.run_id == run.pk
