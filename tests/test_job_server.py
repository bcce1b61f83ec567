"""The job server (govcluster.job_server): steps in fresh processes forked from a preloaded server.

Checked here with a real fork server: each step runs in a process of its own (no state passes
from one step to the next), writes its outputs, log and provenance record as a Snakemake script
job does, uses one BLAS thread, and a user error comes back as a note (the message printed by
the step) instead of an exception from the other process.
"""

from __future__ import annotations

import json
import textwrap
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from types import SimpleNamespace

import pytest

from govcluster.job_server import NamedValues, plain_values, preloaded_modules, run_script
from govcluster.workflow_config import KIND, SCHEMA_VERSION

SCRIPT = textwrap.dedent(
    """
    import json
    import os

    import numpy as np
    from threadpoolctl import threadpool_info

    from govcluster.errors import DataValidationError

    STATE = {"runs": 0}


    def main(smk):
        STATE["runs"] += 1
        options = smk.params.config["values"]["test"]
        if options.get("fail"):
            raise DataValidationError("Bad rows in the test file.", rows=[2])
        np.dot(np.ones((3, 3)), np.ones((3, 3)))
        blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        with open(smk.output.result, "w") as handle:
            json.dump({"pid": os.getpid(), "runs": STATE["runs"], "blas": blas,
                       "value": options["value"], "inputs": dict(smk.input.items())},
                      handle)
    """
)


@pytest.fixture(scope="module")
def server():
    context = get_context("forkserver")
    context.set_forkserver_preload(["numpy", "govcluster.runner", "govcluster.job_server"])
    with ProcessPoolExecutor(max_workers=2, mp_context=context, max_tasks_per_child=1) as pool:
        yield pool


def _job(tmp_path, name, **config):
    script = tmp_path / "step.py"
    script.write_text(SCRIPT, encoding="utf-8")
    config_slice = {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "rule": name,
        "keys": ["output_root", "test"],
        "values": {"output_root": str(tmp_path), "test": config},
    }
    data = tmp_path / "in.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    smk = SimpleNamespace(
        input=NamedValues([str(script), str(data)], {"script": str(script), "data": str(data)}),
        output=NamedValues(
            [str(tmp_path / f"{name}.json")], {"result": str(tmp_path / f"{name}.json")}
        ),
        params=NamedValues([], {"config": config_slice}),
        wildcards=NamedValues([], {}),
        log=NamedValues([str(tmp_path / f"{name}.log")], {}),
        rule=name,
    )
    return str(script), smk


def test_named_values_behave_like_a_rules_named_lists():
    values = NamedValues(
        ["a.csv", "b.csv", "c.csv"], {"first": "a.csv", "rest": ["b.csv", "c.csv"]}
    )
    assert list(values) == ["a.csv", "b.csv", "c.csv"] and values[0] == "a.csv"
    assert values.first == "a.csv" and values.rest == ["b.csv", "c.csv"]
    assert dict(values.items()) == {"first": "a.csv", "rest": ["b.csv", "c.csv"]}
    with pytest.raises(AttributeError):
        values.missing  # noqa: B018
    import pickle

    again = pickle.loads(pickle.dumps(values))
    assert list(again) == list(values) and again.rest == ["b.csv", "c.csv"]


def test_plain_values_turns_file_objects_into_strings():
    class FakeFile(str):
        rule = object()  # Snakemake's file objects refer to their rule

    class FakeNamed(list):
        def items(self):
            return [("table", self[0]), ("parts", list(self[1:]))]

    plain = plain_values(FakeNamed([FakeFile("x.csv"), FakeFile("y.csv")]))
    assert type(plain[0]) is str and type(plain.table) is str
    assert [type(p) for p in plain.parts] == [str]


def test_every_preloaded_module_imports():
    import importlib

    for name in preloaded_modules():
        importlib.import_module(name)


def test_each_step_runs_in_a_fresh_process_with_one_blas_thread(server, tmp_path):
    results = []
    for name in ("first", "second", "third"):
        script, smk = _job(tmp_path, name, value=name)
        assert server.submit(run_script, script, smk).result() is None
        results.append(json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8")))
        assert "finished in" in (tmp_path / f"{name}.log").read_text(encoding="utf-8")
        assert (tmp_path / "logs" / "provenance" / f"{name}.json").exists()
    assert len({r["pid"] for r in results}) == 3
    assert [r["runs"] for r in results] == [1, 1, 1], "state passed from one step to the next"
    assert [r["value"] for r in results] == ["first", "second", "third"]
    assert all(all(n == 1 for n in r["blas"]) for r in results)
    assert results[0]["inputs"]["data"].endswith("in.csv")


def test_a_user_error_comes_back_as_a_note(server, tmp_path):
    script, smk = _job(tmp_path, "failing", value="x", fail=True)
    note = server.submit(run_script, script, smk).result()
    assert note == "step of rule failing stopped; the message is printed above"
    # the server's processes write to the standard error the server started with (the
    # terminal of a run); the step's log has the same message
    log = (tmp_path / "failing.log").read_text(encoding="utf-8")
    assert "Bad rows in the test file." in log and "Traceback" not in log
    assert not (tmp_path / "failing.json").exists()


def test_a_step_process_does_not_run_the_parents_main_script_again(tmp_path):
    """The parent's main script (Snakemake's console script) is not executed in each process."""
    import subprocess
    import sys

    main = tmp_path / "main_script.py"
    main.write_text(
        textwrap.dedent(
            """
            import os
            print("main script ran", flush=True)
            from govcluster.job_server import job_server

            if __name__ == "__main__":
                server = job_server(2)
                pids = {server.submit(os.getpid).result() for _ in range(3)}
                print("step processes", len(pids), flush=True)
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(main)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("main script ran") == 1, done.stdout
    assert "step processes 3" in done.stdout


STEP_PROBE = textwrap.dedent(
    """
    import gc
    import importlib
    import sys
    from pathlib import Path

    from govcluster.job_server import load_script_main
    from govcluster.registry.estimators import FIT_MODULES


    def probe(scripts):
        before = set(sys.modules)
        for script in scripts:
            load_script_main(script)
        for module in FIT_MODULES:
            importlib.import_module(module)
        loaded = {f"govcluster_workflow_script_{Path(s).stem}" for s in scripts}
        imported = sorted(set(sys.modules) - before - loaded)
        return imported, gc.get_freeze_count(), len(gc.get_objects())
    """
)

STEP_DRIVER = textwrap.dedent(
    """
    import sys

    from govcluster.job_server import job_server, start_fork_server
    from step_probe import probe

    if __name__ == "__main__":
        start_fork_server()
        imported, frozen, tracked = job_server(1).submit(probe, sys.argv[1:]).result()
        print("imported", imported)
        print("frozen", frozen, "tracked", tracked)
    """
)


def test_a_step_process_starts_with_its_imports_done_and_nothing_to_collect(tmp_path):
    """The fork server imported what the server's steps import, and froze it.

    The scripts of the rules that run in the job server, and the estimators' modules that the
    registry imports at the first fit, add no module to a step's process; the objects the
    server made are frozen (gc.freeze), so that a step's first full garbage collection does
    not walk, and copy, them.
    """
    import subprocess
    import sys
    from pathlib import Path

    scripts = Path(__file__).resolve().parents[1] / "workflow" / "scripts"
    server_steps = [
        "did",
        "casestudy",
        "index_weight_uncertainty",
        "estimate_panel",
        "mediation",
        "render_exhibit",
    ]
    (tmp_path / "step_probe.py").write_text(STEP_PROBE, encoding="utf-8")
    driver = tmp_path / "driver.py"
    driver.write_text(STEP_DRIVER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(driver), *(str(scripts / f"{s}.py") for s in server_steps)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["imported"] == "[]", f"imported by a step, not by the server: {lines['imported']}"
    frozen, tracked = int(lines["frozen"].split()[0]), int(lines["frozen"].split()[2])
    assert frozen > 50_000, f"the server froze {frozen} objects"
    assert tracked < frozen / 20
