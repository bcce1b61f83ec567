"""Clear errors before estimation (issue 12, section 7) and the configuration of the stage."""

from __future__ import annotations

import pandas as pd
import pytest

from govcluster.did import DidSpec, prepare_staggered_sample
from govcluster.did.data import DidSampleWarning
from govcluster.errors import ConfigError, DataValidationError


def _panel(first_years: dict[str, int], years=range(2010, 2016)) -> pd.DataFrame:
    rows = []
    for unit, first in first_years.items():
        for year in years:
            rows.append(
                {
                    "cluster_id": unit,
                    "year": year,
                    "demo_cluster": int(first > 0 and year >= first),
                    "SCA": 0.1 * year + (first > 0) * (year >= first),
                }
            )
    return pd.DataFrame(rows)


PANEL = {"A": 2012, "B": 2013, "C": 0, "D": 0}
SPEC = DidSpec(event_window=(-2, 2))


def test_first_treatment_year_and_sample_summary():
    sample = prepare_staggered_sample(_panel(PANEL), SPEC)
    first = sample.frame.groupby("cluster_id")["first_treat"].first().to_dict()
    assert first == {"A": 2012, "B": 2013, "C": 0, "D": 0}
    assert sample.summary["cohorts"] == {"2012": 1, "2013": 1}
    assert sample.summary["n_never_treated"] == 2


def test_treatment_that_switches_off_is_an_error_naming_the_units():
    frame = _panel(PANEL)
    frame.loc[(frame["cluster_id"] == "A") & (frame["year"] == 2014), "demo_cluster"] = 0
    with pytest.raises(DataValidationError, match=r"not absorbing.*\(A\).*switch_off"):
        prepare_staggered_sample(frame, SPEC)


def test_switch_off_option_keeps_first_treatment():
    frame = _panel(PANEL)
    frame.loc[(frame["cluster_id"] == "A") & (frame["year"] == 2014), "demo_cluster"] = 0
    sample = prepare_staggered_sample(
        frame, DidSpec(event_window=(-2, 2), switch_off="first_treatment")
    )
    assert sample.summary["switched_off"] == ["A"]
    row = sample.frame[(sample.frame["cluster_id"] == "A") & (sample.frame["year"] == 2014)]
    assert row["treated_post"].item() == 1.0


def test_no_never_treated_units_for_never_treated_comparison():
    with pytest.raises(DataValidationError, match="never_treated.*not_yet_treated"):
        prepare_staggered_sample(_panel({"A": 2012, "B": 2013}), SPEC)


def test_not_yet_treated_needs_two_cohorts_without_never_treated():
    spec = DidSpec(event_window=(-2, 2), comparison="not_yet_treated")
    with pytest.raises(DataValidationError, match="no not-yet-treated"):
        prepare_staggered_sample(_panel({"A": 2012, "B": 2012}), spec)
    prepare_staggered_sample(_panel({"A": 2012, "B": 2013}), spec)


def test_units_treated_in_the_first_period_are_dropped_and_listed_or_an_error():
    panel = _panel({"A": 2010, "B": 2012, "C": 0})
    with pytest.warns(DidSampleWarning, match=r"first year of the data \(2010\).*: A"):
        sample = prepare_staggered_sample(panel, SPEC)
    assert sample.summary["dropped_already_treated"] == ["A"]
    assert "A" not in set(sample.frame["cluster_id"])
    assert sample.summary["cohorts"] == {"2012": 1}
    with pytest.raises(DataValidationError, match=r"first year of the data \(2010\).*A"):
        prepare_staggered_sample(panel, DidSpec(event_window=(-2, 2), already_treated="error"))


def test_event_window_outside_the_data():
    with pytest.raises(DataValidationError, match=r"event_window = \[-2, 9\].*inside \[-3, 3\]"):
        prepare_staggered_sample(_panel(PANEL), DidSpec(event_window=(-2, 9)))


def test_missing_column_names_the_config_key():
    with pytest.raises(DataValidationError, match="GOV.*did.outcomes"):
        prepare_staggered_sample(_panel(PANEL), DidSpec(outcomes=("GOV",)))


def test_non_binary_treatment_points_to_first_year_kind():
    frame = _panel(PANEL)
    frame["demo_cluster"] = frame["demo_cluster"] * 2
    with pytest.raises(DataValidationError, match="treatment_kind: first_year"):
        prepare_staggered_sample(frame, SPEC)


def test_first_year_treatment_column():
    frame = _panel(PANEL)
    frame["designation_year"] = frame["cluster_id"].map(PANEL)
    spec = DidSpec(event_window=(-2, 2), treatment="designation_year", treatment_kind="first_year")
    sample = prepare_staggered_sample(frame, spec)
    assert sample.summary["cohorts"] == {"2012": 1, "2013": 1}


def test_incomplete_units_are_dropped_or_an_error():
    frame = _panel(PANEL)
    frame = frame[~((frame["cluster_id"] == "C") & (frame["year"] == 2011))]
    assert prepare_staggered_sample(frame, SPEC).summary["dropped_incomplete"] == ["C"]
    with pytest.raises(DataValidationError, match="incomplete_units: drop"):
        prepare_staggered_sample(frame, DidSpec(event_window=(-2, 2), incomplete_units="error"))


def test_config_options_are_checked():
    with pytest.raises(ConfigError, match=r"did.comparison = 'never'.*'never_treated'"):
        DidSpec(comparison="never")
    with pytest.raises(ConfigError, match="Unknown key.*windw"):
        DidSpec.from_config({"windw": [1, 2]})
    with pytest.raises(ConfigError, match="reference period"):
        DidSpec(event_window=(0, 3))
    for shift in (0.5, True, "-1"):
        with pytest.raises(ConfigError, match="did.first_year_shift must be a whole number"):
            DidSpec(first_year_shift=shift)
    spec = DidSpec.from_config({"enabled": True, "outcomes": ["SCA"], "event_window": [-3, 4]})
    assert spec.event_window == (-3, 4)
