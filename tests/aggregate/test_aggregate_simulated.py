"""The simulated firms aggregate back to the cluster panel; DuckDB agrees with pandas."""

import numpy as np
import pandas as pd
import pytest
from conftest import SEED, make_spec

from govcluster.aggregate import AggregateAudit, aggregate_firms
from govcluster.simulate_firms import simulate_firm_panel


def _firms_with_clusters(firm_panel):
    return firm_panel.firms.merge(
        firm_panel.cluster_map, on=["county_code", "industry_code"], how="left"
    )


def _pandas_oracle(firms: pd.DataFrame) -> pd.DataFrame:
    """The same indicators computed in memory with pandas (independent implementation)."""
    grouped = firms.groupby(["cluster_id", "year"])
    sums = grouped[["employees", "sales", "exports", "rd_staff"]].sum()
    return pd.DataFrame(
        {
            "n_firms": grouped.size().astype(float),
            "employment": sums["employees"].astype(float),
            "export_share": 100 * sums["exports"] / sums["sales"],
            "foreign_firm_share": 100 * grouped["foreign_invested"].mean(),
            "rd_staff_share": 100 * sums["rd_staff"] / sums["employees"],
            "labour_productivity": sums["sales"] / sums["employees"],
        }
    )


def test_duckdb_matches_pandas_oracle(small_firm_panel, firm_files):
    result = aggregate_firms(
        [str(firm_files / "firms_*.parquet")], make_spec(), mapping=small_firm_panel.cluster_map
    )
    oracle = _pandas_oracle(_firms_with_clusters(small_firm_panel))
    got = result.panel.set_index(["cluster_id", "year"]).sort_index()
    assert list(got.index) == list(oracle.sort_index().index)
    np.testing.assert_allclose(
        got[oracle.columns].to_numpy(dtype=float), oracle.sort_index().to_numpy(), rtol=1e-10
    )
    audit = result.audit
    assert audit.n_rows_read == len(small_firm_panel.firms) == audit.n_rows_kept
    assert audit.dropped == {}
    assert len(audit.files) == 5
    assert AggregateAudit.from_dict(audit.to_dict()) == audit


def test_firm_counts_are_the_cluster_panel_counts(small_firm_panel, firm_files):
    result = aggregate_firms(
        [str(firm_files / "*.parquet")], make_spec(), mapping=small_firm_panel.cluster_map
    )
    targets = small_firm_panel.targets.set_index(["cluster_id", "year"])
    got = result.panel.set_index(["cluster_id", "year"]).loc[targets.index]
    np.testing.assert_array_equal(got["n_firms"].to_numpy(), targets["n_firms"].to_numpy())


def _sampling_errors(firm_panel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative errors per cell and indicator, raw and divided by their standard errors.

    The relative error is aggregate / cluster panel value - 1; it is also divided by its
    sampling standard error.

    Standard errors from the firms themselves: binomial for the foreign share, the delta method
    (linearisation) for the ratios, sqrt(n) x sd for the employment total.
    """
    firms = _firms_with_clusters(firm_panel)
    targets = firm_panel.targets.set_index(["cluster_id", "year"])
    relative, standardised = [], []
    for key, cell in firms.groupby(["cluster_id", "year"]):
        target = targets.loc[key]
        if not target["observed"] or len(cell) < 20:
            continue
        n = len(cell)
        rel, z = {}, {}
        for name, num, den, scale in (
            ("export_share", "exports", "sales", 100),
            ("rd_staff_share", "rd_staff", "employees", 100),
            ("labour_productivity", "sales", "employees", 1),
        ):
            y, x = cell[num].to_numpy(float), cell[den].to_numpy(float)
            ratio = y.sum() / x.sum()
            se = np.sqrt(np.sum((y - ratio * x) ** 2) * n / (n - 1)) / x.sum()
            rel[name] = ratio * scale / target[name] - 1
            z[name] = (ratio - target[name] / scale) / se
        p = target["foreign_firm_share"] / 100
        share = cell["foreign_invested"].mean()
        rel["foreign_firm_share"] = share / p - 1
        z["foreign_firm_share"] = (share - p) / np.sqrt(p * (1 - p) / n)
        employees = cell["employees"].to_numpy(float)
        rel["employment"] = employees.sum() / target["employment"] - 1
        z["employment"] = (employees.sum() - target["employment"]) / (
            np.sqrt(n) * employees.std(ddof=1)
        )
        relative.append(rel)
        standardised.append(z)
    return pd.DataFrame(relative), pd.DataFrame(standardised)


def test_aggregates_reproduce_cluster_panel_up_to_sampling_noise(small_firm_panel):
    """Aggregates are unbiased for the cluster panel's values, with sampling-sized errors.

    Unbiased: the mean relative error over about 175 cells is within 4 of its standard errors
    of 0 (a bias of 2% in a share fails). Sampling-sized: the errors divided by their
    estimated sampling standard errors have a standard deviation between 0.8 and 1.25 (ratio
    estimators of skewed firm sizes make the studentised errors slightly skewed, so their mean
    is not tested).
    """
    relative, z = _sampling_errors(small_firm_panel)
    assert len(z) > 150
    for name in z.columns:
        mean, se = relative[name].mean(), relative[name].std() / np.sqrt(len(relative))
        assert abs(mean) < 4 * se, (name, mean, se)
        assert abs(mean) < 0.02, (name, mean)
        assert 0.8 < z[name].std() < 1.25, (name, z[name].std())
        assert z[name].abs().max() < 6, (name, z[name].abs().max())


def test_cluster_targets_are_the_printed_values(small_cluster_panel, small_firm_panel):
    """Observed targets equal the raw panel's printed cells (x100 typos undone)."""
    raw, truth = small_cluster_panel
    targets = small_firm_panel.targets.set_index(["cluster_id", "year"])
    printed = raw.drop_duplicates(subset=["cluster_id", "year"]).set_index(["cluster_id", "year"])
    typo_cells = {(t["cluster_id"], t["year"], t["variable"]) for t in truth.messiness["typos"]}
    checked = 0
    for name in ("export_share", "rd_staff_share", "foreign_firm_share"):
        values = pd.to_numeric(printed[name], errors="coerce")
        for key, value in values.dropna().items():
            if (*key, name) in typo_cells:
                assert targets.loc[key, name] == pytest.approx(value / 100)
            else:
                assert targets.loc[key, name] == value
            checked += 1
    assert checked > 400


def test_firm_scale_scales_counts_not_shares(small_cluster_panel):
    raw, truth = small_cluster_panel
    base = simulate_firm_panel(raw, truth.latent, seed=SEED, typos=truth.messiness["typos"])
    double = simulate_firm_panel(
        raw, truth.latent, seed=SEED, typos=truth.messiness["typos"], firm_scale=2.0
    )
    assert len(double.firms) == pytest.approx(2 * len(base.firms), rel=0.01)
    ratio = (
        double.firms.groupby("year")["employees"].sum()
        / base.firms.groupby("year")["employees"].sum()
    )
    assert ratio.between(1.9, 2.1).all()
    share = double.firms["rd_staff"].sum() / double.firms["employees"].sum()
    base_share = base.firms["rd_staff"].sum() / base.firms["employees"].sum()
    assert share == pytest.approx(base_share, rel=0.03)


def test_same_seed_same_firms(small_cluster_panel):
    raw, truth = small_cluster_panel
    first = simulate_firm_panel(raw, truth.latent, seed=3)
    second = simulate_firm_panel(raw, truth.latent, seed=3)
    other = simulate_firm_panel(raw, truth.latent, seed=4)
    pd.testing.assert_frame_equal(first.firms, second.firms)
    assert not first.firms["sales"].equals(other.firms["sales"])


def test_threads_do_not_change_the_panel(small_firm_panel, firm_files):
    files = [str(firm_files / "firms_*.parquet")]
    one = aggregate_firms(files, make_spec(threads=1), mapping=small_firm_panel.cluster_map)
    two = aggregate_firms(files, make_spec(threads=2), mapping=small_firm_panel.cluster_map)
    pd.testing.assert_frame_equal(one.panel, two.panel, check_exact=True)


def test_csv_files_give_the_parquet_result(small_firm_panel, firm_files, tmp_path):
    for year, rows in small_firm_panel.firms.groupby("year"):
        rows.to_csv(tmp_path / f"firms_{year}.csv", index=False)
    from_csv = aggregate_firms(
        [str(tmp_path / "firms_*.csv")], make_spec(), mapping=small_firm_panel.cluster_map
    )
    from_parquet = aggregate_firms(
        [str(firm_files / "firms_*.parquet")], make_spec(), mapping=small_firm_panel.cluster_map
    )
    pd.testing.assert_frame_equal(from_csv.panel, from_parquet.panel, rtol=1e-10)


def test_transactions_are_summed_to_firm_years(tmp_path):
    """Transaction rows: firm-year sums first, then the indicators (pandas oracle)."""
    rng = np.random.default_rng(0)
    n = 20_000
    rows = pd.DataFrame(
        {
            "firm_id": rng.integers(0, 500, n),
            "year": rng.integers(2010, 2013, n),
            "cluster": [f"K{k}" for k in rng.integers(0, 500, n) % 7],
            "value": rng.lognormal(3, 1, n),
        }
    )
    rows["cluster"] = "K" + (rows["firm_id"] % 7).astype(str)
    rows.iloc[: n // 2].to_parquet(tmp_path / "tx_a.parquet", index=False)
    rows.iloc[n // 2 :].to_parquet(tmp_path / "tx_b.parquet", index=False)
    spec = make_spec(
        unit="transaction",
        assign={"rule": "column", "column": "cluster"},
        indicators={
            "firms": {"stat": "count"},
            "exports": {"stat": "sum", "column": "value"},
            "mean_firm_exports": {"stat": "mean", "column": "value"},
        },
    )
    result = aggregate_firms([str(tmp_path / "tx_*.parquet")], spec)
    firm_years = rows.groupby(["cluster", "firm_id", "year"])["value"].sum().reset_index()
    grouped = firm_years.groupby(["cluster", "year"])["value"]
    oracle = pd.DataFrame(
        {"firms": grouped.size(), "exports": grouped.sum(), "mean_firm_exports": grouped.mean()}
    )
    got = result.panel.set_index(["cluster_id", "year"])
    np.testing.assert_allclose(
        got[oracle.columns].to_numpy(dtype=float), oracle.to_numpy(), rtol=1e-10
    )
    assert result.audit.n_rows_read == n == result.audit.n_rows_kept
    assert result.audit.n_firm_years == len(firm_years)


def test_weighted_mean_and_share_with_value(tmp_path):
    frame = pd.DataFrame(
        {
            "firm_id": [1, 2, 3, 4],
            "year": [2020] * 4,
            "cluster_id": ["A", "A", "A", "B"],
            "intensity": [0.1, 0.5, None, 0.2],
            "sales": [100.0, 300.0, 50.0, 10.0],
            "ownership": ["foreign", "domestic", "foreign", "domestic"],
        }
    )
    frame.to_parquet(tmp_path / "f.parquet", index=False)
    spec = make_spec(
        assign={"rule": "column", "column": "cluster_id"},
        indicators={
            "export_intensity": {"stat": "weighted_mean", "column": "intensity", "weight": "sales"},
            "foreign_share": {
                "stat": "share",
                "column": "ownership",
                "equals": "foreign",
                "scale": 100,
            },
        },
    )
    result = aggregate_firms([str(tmp_path / "f.parquet")], spec)
    panel = result.panel.set_index("cluster_id")
    assert panel.loc["A", "export_intensity"] == pytest.approx((0.1 * 100 + 0.5 * 300) / 400)
    assert panel.loc["A", "foreign_share"] == pytest.approx(200 / 3)
    assert panel.loc["B", "foreign_share"] == 0.0
    assert result.audit.indicator_missing == {"export_intensity": 1, "foreign_share": 0}
