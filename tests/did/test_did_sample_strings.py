"""Unit names are held as Python strings in the DiD sample: faster, and the same estimates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from govcluster.did import DidSpec, prepare_staggered_sample
from govcluster.did.bacon import decompose_twfe
from govcluster.did.twfe import fit_twfe

FIRST_YEARS = {"u01": 2012, "u02": 2012, "u03": 2013, "u04": 2014, "u05": 0, "u06": 0, "u07": 2013}
SPEC = DidSpec(event_window=(-2, 2))


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = [
        {
            "cluster_id": unit,
            "year": year,
            "demo_cluster": int(first > 0 and year >= first),
            "SCA": 0.1 * year + 0.5 * (first > 0 and year >= first) + rng.normal(0, 0.1),
        }
        for unit, first in FIRST_YEARS.items()
        for year in range(2010, 2017)
    ]
    frame = pd.DataFrame(rows)
    return frame.astype({"cluster_id": pd.StringDtype()})  # as pandas reads text from Parquet


def test_unit_names_become_python_strings_with_the_same_values_and_order():
    frame = _panel()
    sample = prepare_staggered_sample(frame.sample(frac=1.0, random_state=3), SPEC)
    assert sample.frame["cluster_id"].dtype == object
    assert all(isinstance(unit, str) for unit in sample.frame["cluster_id"])
    expected = frame.sort_values(["cluster_id", "year"])["cluster_id"].astype(object).tolist()
    assert sample.frame["cluster_id"].tolist() == expected


def test_estimates_equal_those_on_the_string_dtype():
    sample = prepare_staggered_sample(_panel(), SPEC)
    as_read = dataclasses.replace(
        sample, frame=sample.frame.astype({"cluster_id": pd.StringDtype()})
    )
    twfe = fit_twfe(sample, SPEC, "SCA", seed=1).overall()["estimate"]
    assert fit_twfe(as_read, SPEC, "SCA", seed=1).overall()["estimate"] == twfe
    bacon = decompose_twfe(sample, SPEC, "SCA", twfe_estimate=twfe)
    bacon_as_read = decompose_twfe(as_read, SPEC, "SCA", twfe_estimate=twfe)
    assert bacon.to_dict() == bacon_as_read.to_dict()
