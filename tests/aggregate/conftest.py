"""Fixtures of the aggregation tests: a small simulated firm panel written to Parquet files."""

from pathlib import Path

import pytest

from govcluster.aggregate import build_aggregate_spec
from govcluster.simulate import simulate_cluster_panel
from govcluster.simulate_firms import simulate_firm_panel

SEED = 20240601

#: The indicators of the shipped configuration (config/config.yaml, aggregate.indicators).
INDICATORS = {
    "n_firms": {"stat": "count"},
    "employment": {"stat": "sum", "column": "employees"},
    "export_share": {"stat": "ratio", "numerator": "exports", "denominator": "sales", "scale": 100},
    "foreign_firm_share": {"stat": "share", "column": "foreign_invested", "scale": 100},
    "rd_staff_share": {
        "stat": "ratio",
        "numerator": "rd_staff",
        "denominator": "employees",
        "scale": 100,
    },
    "labour_productivity": {"stat": "ratio", "numerator": "sales", "denominator": "employees"},
}


def make_spec(**overrides):
    settings = {
        "unit": "firm_year",
        "firm": "firm_id",
        "time": "year",
        "assign": {
            "rule": "mapping",
            "keys": ["county_code", "industry_code"],
            "mapping": "cluster_map.csv",
        },
        "indicators": INDICATORS,
        "threads": 2,
        "memory_limit": "1GB",
    }
    settings.update(overrides)
    return build_aggregate_spec(settings)


@pytest.fixture(scope="session")
def small_cluster_panel():
    return simulate_cluster_panel(n_clusters=40, years=(2008, 2012), seed=SEED)


@pytest.fixture(scope="session")
def small_firm_panel(small_cluster_panel):
    raw, truth = small_cluster_panel
    return simulate_firm_panel(raw, truth.latent, seed=SEED, typos=truth.messiness["typos"])


@pytest.fixture(scope="session")
def firm_files(small_firm_panel, tmp_path_factory) -> Path:
    """The firms written one Parquet file per year; returns the directory."""
    directory = tmp_path_factory.mktemp("firms")
    for year, rows in small_firm_panel.firms.groupby("year"):
        rows.to_parquet(directory / f"firms_{year}.parquet", index=False)
    return directory
