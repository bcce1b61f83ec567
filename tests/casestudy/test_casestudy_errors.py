"""Clear errors before estimation, naming the configuration key and the fix."""

from __future__ import annotations

import numpy as np
import pytest
from dgp import base_config, factor_model_panel

from govcluster.casestudy import case_study_spec_from_config, prepare_case_study_data
from govcluster.errors import ConfigError, EstimationError


@pytest.fixture(scope="module")
def panel():
    return factor_model_panel(seed=3, n_donors=6)[0]


def _prepare(panel, **overrides):
    spec = case_study_spec_from_config(base_config(**overrides), seed=0)
    return prepare_case_study_data(panel, spec)


def test_treated_cluster_missing(panel):
    with pytest.raises(EstimationError, match=r"case_study.treated='nope' is not a cluster"):
        _prepare(panel, treated="nope")


def test_treated_by_name(panel):
    data = _prepare(panel, treated="name T")
    assert data.treated_id == "T" and data.treated_name == "name T"


def test_fewer_pre_periods_than_fit_window(panel):
    with pytest.raises(EstimationError, match=r"case_study.pre_periods=20 .* 14 pre-intervention"):
        _prepare(panel, pre_periods=20)
    data = _prepare(panel, pre_periods=5)
    assert data.fit_years == (2009, 2010, 2011, 2012, 2013)


def test_no_post_period(panel):
    with pytest.raises(EstimationError, match="after the last year"):
        _prepare(panel, intervention_year=2030)


def test_donor_pool_too_small(panel):
    with pytest.raises(EstimationError, match="at least 2 are needed"):
        _prepare(panel, donors=["D00"])
    designated = panel.assign(designated=np.where(panel["unit"] == "T", 0.0, 1.0))
    with pytest.raises(EstimationError, match="designation_column"):
        _prepare(designated)


def test_treated_in_donor_pool(panel):
    with pytest.raises(EstimationError, match="includes the treated cluster"):
        _prepare(panel, donors=["D00", "D01", "T"])


def test_missing_outcome_of_treated(panel):
    holed = panel.copy()
    holed.loc[(holed.unit == "T") & (holed.year == 2005), "y"] = np.nan
    with pytest.raises(EstimationError, match=r"has no 'y' in years \[2005\]"):
        _prepare(holed)


def test_missing_outcome_of_donor_is_dropped_or_an_error(panel):
    holed = panel.copy()
    holed.loc[(holed.unit == "D02") & (holed.year == 2016), "y"] = np.nan
    data = _prepare(holed)
    assert "D02" not in data.donor_ids
    assert data.dropped_donors[0][0] == "D02"
    with pytest.raises(EstimationError, match="drop_incomplete_donors"):
        _prepare(holed, drop_incomplete_donors=False)


def test_designated_clusters_are_not_donors(panel):
    marked = panel.assign(designated=np.where(panel["unit"] == "D03", 1.0, 0.0))
    assert "D03" not in _prepare(marked).donor_ids
    assert "D03" in _prepare(marked, designation_column=None).donor_ids


def test_same_industry_donor_pool(panel):
    data = _prepare(panel, donor_pool="same_industry")
    industry = panel.drop_duplicates("unit").set_index("unit")["industry"]
    assert {industry[d] for d in data.donor_ids} == {industry["T"]}


def test_unknown_column_and_options(panel):
    with pytest.raises(EstimationError, match="case_study.outcome"):
        _prepare(panel, outcome="nope")
    with pytest.raises(ConfigError, match="v_method='best' is not an option"):
        case_study_spec_from_config(base_config(v_method="best"), seed=0)
    with pytest.raises(ConfigError, match="unknown keys"):
        case_study_spec_from_config(base_config(treatd="T"), seed=0)
    with pytest.raises(ConfigError, match="intervention_year is missing"):
        case_study_spec_from_config({"treated": "T"}, seed=0)
    with pytest.raises(EstimationError, match="outside the fit window"):
        _prepare(panel, predictors={"outcome_lags": [2015]})
