"""The `speccurve` target on a small curve (8 specifications), and the cap refused up front."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from govcluster.speccurve.fit import VariantData, fit_specification
from govcluster.speccurve.spec import CurveDimensions, enumerate_specifications

ROOT = Path(__file__).resolve().parents[2]

SMALL_CURVE = {
    "index_methods": ["entropy", "zscore"],
    "winsorize": [True],
    "control_sets": {"none": []},
    "fixed_effects": ["entity_year", "entity_region_year"],
    "samples": ["full", "balanced"],
    "se_types": ["cluster_entity"],
    "permutations": 49,
    "min_clusters": 10,
}


def _write_config(workdir: Path, **speccurve) -> Path:
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    config = copy.deepcopy(config)
    config["simulate"]["n_clusters"] = 60
    config["speccurve"] = {**config["speccurve"], **SMALL_CURVE, **speccurve}
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_curve_run(tmp_path_factory, snakemake) -> Path:
    workdir = tmp_path_factory.mktemp("speccurve")
    _write_config(workdir)
    ran = snakemake(workdir, "--cores", "2", "speccurve")
    assert ran.returncode == 0, ran.stderr[-3000:]
    return workdir


@pytest.mark.slow
@pytest.mark.pipeline
def test_the_target_writes_one_record_per_specification_and_the_exhibits(small_curve_run):
    workdir = small_curve_run
    records = sorted((workdir / "results/speccurve/specifications").glob("s*.json"))
    assert len(records) == 8
    curve = json.loads((workdir / "results/estimates/speccurve.json").read_text())
    assert curve["kind"] == "speccurve_result" and curve["n_specifications"] == 8
    for name in (
        "figures/specification_curve.png",
        "figures/specification_curve.pdf",
        "tables/specification_curve.docx",
        "tables/specification_curve.tex",
        "numbers/speccurve.tex",
    ):
        assert (workdir / "results" / name).stat().st_size > 0, name
    # each job's record equals the same fit done here, in one process, on its variant
    first = json.loads(records[0].read_text())
    spec_name = first["specification"]["name"]
    dims = CurveDimensions.from_config({**SMALL_CURVE, "seed": curve["seed"]})
    spec = {s.name: s for s in enumerate_specifications(dims)}[spec_name]
    with np.load(workdir / f"results/speccurve/variants/{spec.variant}.npz") as arrays:
        arrays = {k: v for k, v in arrays.items() if k != "speccurve"}
    again = fit_specification(VariantData.from_arrays(arrays), spec, dims).to_dict()
    assert again == first


@pytest.mark.slow
@pytest.mark.pipeline
def test_a_curve_over_the_cap_stops_before_any_job(tmp_path, snakemake):
    _write_config(tmp_path, max_specifications=5)
    ran = snakemake(tmp_path, "--dry-run", "speccurve")
    assert ran.returncode != 0
    message = ran.stderr + ran.stdout
    assert "8 specifications" in message and "speccurve.max_specifications = 5" in message
    assert not (tmp_path / "results").exists()
