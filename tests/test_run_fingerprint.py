"""The guard skips Snakemake only when a rerun provably has nothing to do.

A stand-in for Snakemake (a small script that behaves as Snakemake does for one rule: it
rebuilds ``results/out.txt`` when it is missing or older than its inputs, and records the job in
``.snakemake/metadata`` in Snakemake's layout) lets these tests run the guard many times in
milliseconds. Every change Snakemake would act on must make the guard start it again; the real
Snakemake is checked against the same fingerprint in ``tests/test_rerun.py``.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
import textwrap
import time
from pathlib import Path

import pytest

from govcluster import run_fingerprint
from govcluster.run_guard import run_guarded

FAKE_SNAKEMAKE = textwrap.dedent(
    """
    import base64, json, os, sys, time
    from pathlib import Path

    calls = Path(os.environ["FAKE_SNAKEMAKE_CALLS"])
    calls.write_text(calls.read_text() + "x" if calls.exists() else "x")
    inputs = [Path("config.yaml"), Path("data/raw/in.csv"), Path("src/code.py")]
    external = os.environ.get("FAKE_SNAKEMAKE_EXTERNAL")
    if external:
        inputs.append(Path(external))
    output = Path("results/out.txt")
    stale = not output.exists() or any(
        p.stat().st_mtime_ns > output.stat().st_mtime_ns for p in inputs
    )
    if stale:
        start = time.time()
        output.parent.mkdir(exist_ok=True)
        output.write_text("".join(p.read_text() for p in inputs))
        Path("logs").mkdir(exist_ok=True)
        Path("logs/job.log").write_text("done")
        name = base64.urlsafe_b64encode(str(output).encode()).decode()
        meta = Path(".snakemake/metadata")
        meta.mkdir(parents=True, exist_ok=True)
        (meta / name).write_text(json.dumps({
            "rule": os.environ.get("FAKE_SNAKEMAKE_RULE", "job"),
            "input": [str(p) for p in inputs], "log": ["logs/job.log"],
            "starttime": start, "endtime": time.time(),
        }))
    if os.environ.get("FAKE_SNAKEMAKE_EDIT"):
        Path(os.environ["FAKE_SNAKEMAKE_EDIT"]).write_text("edited while running")
    sys.exit(int(os.environ.get("FAKE_SNAKEMAKE_STATUS", "0")))
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project directory with code, configuration and raw data, and the stand-in."""
    root = tmp_path / "project"
    for relative, text in {
        "config.yaml": "seed: 1\n",
        "data/raw/in.csv": "a,b\n1,2\n",
        "src/code.py": "x = 1\n",
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    fake = tmp_path / "snakemake"
    fake.write_text(f"#!{sys.executable}\n{FAKE_SNAKEMAKE}")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FAKE_SNAKEMAKE_CALLS", str(tmp_path / "calls.txt"))
    for name in ("EDIT", "STATUS", "EXTERNAL", "RULE"):
        monkeypatch.delenv(f"FAKE_SNAKEMAKE_{name}", raising=False)
    return root, [str(fake), "--cores", "2"]


def _calls(root: Path) -> int:
    path = root.parent / "calls.txt"
    return len(path.read_text()) if path.exists() else 0


def _run(root: Path, command: list[str]) -> int:
    return run_guarded(command, directory=root)


def _later(path: Path) -> None:
    """Give ``path`` a modification time one second later, as an edit would."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_a_rerun_with_nothing_changed_does_not_start_snakemake(project, capsys):
    root, command = project
    assert _run(root, command) == 0
    assert _calls(root) == 1 and (root / "results/out.txt").is_file()
    assert _run(root, command) == 0
    assert _run(root, command) == 0
    assert _calls(root) == 1
    assert "nothing to be done" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change",
    [
        lambda root: _later(root / "src/code.py"),  # code touched
        lambda root: (root / "config.yaml").write_text("seed: 2\n"),  # configuration edited
        lambda root: _later(root / "data/raw/in.csv"),  # raw data touched
        lambda root: (root / "results/out.txt").unlink(),  # an output removed
        lambda root: _later(root / "results/out.txt"),  # an output touched
        lambda root: (root / "src/new_module.py").write_text(""),  # a new file
        lambda root: (root / ".snakemake/incomplete").mkdir(),  # an interrupted job's mark
    ],
    ids=["code", "config", "raw-data", "output-removed", "output-touched", "new-file", "marker"],
)
def test_any_change_starts_snakemake_again(project, change):
    root, command = project
    _run(root, command)
    change(root)
    if (root / ".snakemake/incomplete").is_dir():
        (root / ".snakemake/incomplete/job").write_text("")
    _run(root, command)
    assert _calls(root) == 2


def test_the_stand_in_reruns_the_job_after_a_code_change(project):
    # the stand-in behaves as Snakemake would: the change is acted on, then skipped again
    root, command = project
    _run(root, command)
    before = (root / "results/out.txt").stat().st_mtime_ns
    time.sleep(0.01)
    (root / "src/code.py").write_text("x = 2\n")
    _run(root, command)
    assert (root / "results/out.txt").stat().st_mtime_ns > before
    assert "x = 2" in (root / "results/out.txt").read_text()
    _run(root, command)
    assert _calls(root) == 2


def test_other_command_lines_always_start_snakemake(project):
    root, command = project
    _run(root, command)
    for extra in (["--forceall"], ["results/out.txt"], ["-n"], ["--cores", "1", "--touch"]):
        _run(root, [*command, *extra])
    assert _calls(root) == 5
    assert run_fingerprint.command_is_trusted([*command, "--configfile", "a.yaml", "b.yaml"])
    assert not run_fingerprint.command_is_trusted([*command, "--configfile", "a.yaml", "-F"])


def test_a_file_edited_during_the_run_is_not_trusted(project, monkeypatch):
    root, command = project
    monkeypatch.setenv("FAKE_SNAKEMAKE_EDIT", str(root / "config.yaml"))
    _run(root, command)
    monkeypatch.delenv("FAKE_SNAKEMAKE_EDIT")
    assert run_fingerprint.read_saved(root) is None
    _run(root, command)  # Snakemake checks the edited state itself
    assert _calls(root) == 2


def test_a_failed_run_forgets_the_fingerprint(project, monkeypatch):
    root, command = project
    _run(root, command)
    assert run_fingerprint.read_saved(root) is not None
    monkeypatch.setenv("FAKE_SNAKEMAKE_STATUS", "1")
    assert _run(root, [*command, "--cores", "1"]) == 1
    assert run_fingerprint.read_saved(root) is None
    monkeypatch.delenv("FAKE_SNAKEMAKE_STATUS")
    _run(root, command)
    assert _calls(root) == 3


def test_an_input_outside_the_project_is_watched(project, monkeypatch, tmp_path):
    root, command = project
    external = tmp_path / "elsewhere.csv"
    external.write_text("c\n3\n")
    monkeypatch.setenv("FAKE_SNAKEMAKE_EXTERNAL", str(external))
    _run(root, command)
    _run(root, command)
    assert _calls(root) == 1
    _later(external)
    _run(root, command)
    assert _calls(root) == 2


def test_an_input_named_relative_to_the_project_but_outside_it_is_watched(
    project, monkeypatch, tmp_path
):
    root, command = project
    external = tmp_path / "elsewhere.csv"  # the project is tmp_path / "project"
    external.write_text("c\n3\n")
    monkeypatch.setenv("FAKE_SNAKEMAKE_EXTERNAL", "../elsewhere.csv")
    _run(root, command)
    _run(root, command)
    assert _calls(root) == 1
    _later(external)
    _run(root, command)
    assert _calls(root) == 2


def test_raw_data_in_a_linked_folder_are_watched(project, tmp_path):
    root, command = project
    shared = tmp_path / "shared_raw"
    (root / "data/raw").rename(shared)
    (root / "data/raw").symlink_to(shared, target_is_directory=True)
    _run(root, command)
    _run(root, command)
    assert _calls(root) == 1
    _later(shared / "in.csv")
    _run(root, command)
    assert _calls(root) == 2


def test_globbed_firm_files_outside_the_project_are_never_trusted(project, monkeypatch, tmp_path):
    root, command = project
    external = tmp_path / "firms_2020.parquet"
    external.write_text("")
    monkeypatch.setenv("FAKE_SNAKEMAKE_EXTERNAL", str(external))
    monkeypatch.setenv("FAKE_SNAKEMAKE_RULE", "aggregate")
    _run(root, command)
    _run(root, command)
    assert _calls(root) == 2


def test_an_output_edited_after_its_job_is_not_trusted(project):
    root, command = project
    _run(root, command)
    name = base64.urlsafe_b64encode(b"results/out.txt").decode()
    meta = root / ".snakemake/metadata" / name
    record = json.loads(meta.read_text())
    output = root / "results/out.txt"
    late = int((record["endtime"] + 5) * 1e9)
    os.utime(output, ns=(late, late))
    before = run_fingerprint.fingerprint(command, root)
    assert run_fingerprint.outputs_edited_after_their_job(
        [{**record, "output": "results/out.txt"}], before["files"], since=record["starttime"]
    ) == ["results/out.txt"]
