"""Fixtures of the rendering tests.

Configurations in both languages, a small table, and the estimates of a small run of the real
estimators.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from render_estimates import SmallRun, run_small, small_config

from govcluster.config import ProjectConfig, load_config
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def config_en() -> ProjectConfig:
    return load_config(ROOT / "config" / "config.yaml", overrides={"language": "en"})


@pytest.fixture(scope="session")
def config_zh() -> ProjectConfig:
    return load_config(ROOT / "config" / "config.yaml", overrides={"language": "zh"})


@pytest.fixture()
def sample_table() -> Table:
    """Two model groups over four columns, two panels, LaTeX specials, Chinese and numbers."""
    numbers = pd.DataFrame(
        {"estimate": [0.1234, -2.5, 1234.5678], "p_value": [0.004, 0.2, 0.06]},
        index=pd.Index(["rd_share", "ln_gdp", "政府干预"], name="term"),
    )
    return Table(
        title="Results: R&D_share #1 (%)",
        columns=make_header(
            [HeaderCell("OLS", 2), HeaderCell("IV & FE", 2)],
            ["(1)", "(2)", "(3)", "(4)"],
        ),
        panels=(
            Panel(
                "Panel A: OLS",
                (
                    Row("R&D share (%)", ("0.123***", "(0.045)", "-2.500", "")),
                    Row("log_gdp #1", ("1,234.568*", "", "$5", "{x}")),
                ),
            ),
            Panel("Panel B: 工具变量", (Row("政府干预", ("0.5", "0.6", "0.7", "0.8")),)),
        ),
        notes=("Standard errors in parentheses; 5% level & more.", "括号内为标准误。"),
        label="sample_results",
        stub_header="Variable",
        numbers=numbers,
    )


@pytest.fixture(scope="session")
def small_run(build_once) -> SmallRun:
    """Estimates of a small simulated run, in the layout the rendering rules read (made once)."""
    return SmallRun(root=build_once("small_run", run_small), config=small_config())
