"""Time and memory of the specification curve, next to their targets.

1. The default curve on the default data: ``snakemake speccurve --cores 2`` from scratch (the
   six data variants, 288 specification jobs, assembly, exhibits), its wall time and the
   largest resident memory of a job; then, in one process, the same 288 fits, to separate the
   computation from the start-up of the jobs; and the wall time of one bare job.
2. One specification's fit (500 permutations, cluster + region-year effects, three controls,
   clustered standard errors) on a panel of 20,000 clusters x 20 years, its time and peak
   memory (tracemalloc sees numpy's allocations).

Run from the project root with the project's environment:

    .venv/bin/python benchmarks/bench_speccurve.py            # both
    .venv/bin/python benchmarks/bench_speccurve.py --skip-workflow   # only the in-process parts

The machine's load average is printed with the results: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

from govcluster.speccurve.fit import VariantData, fit_specification  # noqa: E402
from govcluster.speccurve.spec import (  # noqa: E402
    CurveDimensions,
    Specification,
    enumerate_specifications,
)

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "default curve, snakemake --cores 2 (s)": 180.0,
    "one fit at 20,000 x 20 (s)": 60.0,
    "one fit at 20,000 x 20, peak memory (MB)": 2000.0,
}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def run_default_curve() -> dict[str, float]:
    """Time ``snakemake speccurve --cores 2`` with every curve job forced to run."""
    snakemake = Path(sys.executable).with_name("snakemake")
    # the variants need the ingested data: make it first (not part of the curve's time)
    subprocess.run([str(snakemake), "--cores", "2", "-q", "ingest"], cwd=ROOT, check=True)
    rules = ["speccurve_variant", "speccurve_fit", "speccurve_assemble", "speccurve_render"]
    started = time.perf_counter()
    subprocess.run(
        [str(snakemake), "speccurve", "--cores", "2", "-q", "--forcerun", *rules],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "peak_mb": peak}


def in_process_fits() -> dict[str, float]:
    """The default curve's 288 fits in one process, from the variant files of the run."""
    config = json.loads(
        json.dumps(
            __import__("yaml").safe_load((ROOT / "config/config.yaml").read_text())["speccurve"]
        )
    )
    dims = CurveDimensions.from_config(config)
    specs = enumerate_specifications(dims)
    variants = {}
    for name in dims.variant_names:
        with np.load(ROOT / f"results/speccurve/variants/{name}.npz") as arrays:
            variants[name] = VariantData.from_arrays(
                {k: v for k, v in arrays.items() if k != "speccurve"}
            )
    started = time.perf_counter()
    for spec in specs:
        fit_specification(variants[spec.variant], spec, dims)
    compute = time.perf_counter() - started
    spec = specs[0]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "workflow/scripts/speccurve_fit.py"),
                str(ROOT / f"results/speccurve/variants/{spec.variant}.npz"),
                spec.name,
                f"{folder}/out.json",
                f"{folder}/log.txt",
            ],
            check=True,
            capture_output=True,
        )
        one_job = time.perf_counter() - started
    return {"n": len(specs), "compute": compute, "one_job": one_job}


def large_panel(n_clusters: int = 20_000, n_years: int = 20, seed: int = 1) -> VariantData:
    """A synthetic panel of the curve's shape: GOV with cluster and region-year components."""
    rng = np.random.default_rng(seed)
    entity = np.repeat(np.arange(n_clusters), n_years)
    year = np.tile(np.arange(2001, 2001 + n_years), n_clusters)
    regions = np.array(["east", "central", "west"])
    region_of = rng.integers(0, 3, n_clusters)
    province_of = region_of * 10 + rng.integers(0, 10, n_clusters)
    mu = rng.normal(size=n_clusters)[entity]
    gov = 0.5 * mu + rng.normal(size=entity.size)
    controls = {f"c{k}": 0.3 * mu + rng.normal(size=entity.size) for k in range(3)}
    sca = 0.3 * gov + mu + sum(controls.values()) * 0.1 + rng.normal(size=entity.size)
    ids = np.char.add("C", np.char.zfill(np.arange(n_clusters).astype(str), 6))
    return VariantData(
        cluster_ids=ids,
        entity=entity,
        year=year,
        region=regions[region_of][entity],
        province=province_of.astype(str)[entity],
        stratum=regions[region_of][entity],
        columns={"SCA": sca, "GOV": gov, **controls},
        name="entropy_winsorised",
    )


def large_fit() -> dict[str, float]:
    """One specification's fit on :func:`large_panel`: seconds and peak traced memory."""
    data = large_panel()
    dims = CurveDimensions(
        control_sets={"baseline": ["c0", "c1", "c2"]},
        n_permutations=500,
        seed=1,
    )
    spec = Specification(
        name="s0001",
        index_method="entropy",
        winsorize=True,
        control_set="baseline",
        controls=("c0", "c1", "c2"),
        fixed_effects="entity_region_year",
        sample="full",
        se_type="cluster_entity",
    )
    tracemalloc.start()
    started = time.perf_counter()
    result = fit_specification(data, spec, dims)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert abs(result.estimate - 0.3) < 0.02, result.estimate
    return {"seconds": seconds, "peak_mb": peak / 1e6, "rows": len(data.year)}


def main() -> None:
    """Run the measurements and print them next to their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-workflow", action="store_true", help="skip the Snakemake run")
    args = parser.parse_args()
    print(_load())
    rows = []
    if not args.skip_workflow:
        curve = run_default_curve()
        rows.append(("default curve, snakemake --cores 2 (s)", curve["wall"]))
        rows.append(("  largest job, resident memory (MB)", curve["peak_mb"]))
    if (ROOT / "results/speccurve/variants").is_dir():
        fits = in_process_fits()
        rows.append((f"  the {fits['n']} fits in one process (s)", fits["compute"]))
        rows.append(("  one bare specification job, start to end (s)", fits["one_job"]))
    large = large_fit()
    rows.append(("one fit at 20,000 x 20 (s)", large["seconds"]))
    rows.append(("one fit at 20,000 x 20, peak memory (MB)", large["peak_mb"]))
    print(f"{'measure':<52}{'measured':>12}{'target':>12}")
    for name, value in rows:
        target = TARGETS.get(name)
        shown = f"< {target:g}" if target is not None else ""
        print(f"{name:<52}{value:>12.2f}{shown:>12}")
    print(_load())


if __name__ == "__main__":
    main()
