"""The good panel of the catalogue passes every stage without a warning.

This is the control of the catalogue: each bad case differs from this input by its mutation
only, so the stop or the flag it gets is caused by that mutation.
"""

import bad_input_builders as builders
import numpy as np
import pandas as pd

from govcluster import datachecks, io
from govcluster.clean import clean_panel
from govcluster.config import build_config
from govcluster.ingest import ingest_table
from govcluster.model_diagnostics import (
    first_stage_messages,
    future_year_messages,
    low_within_variation_messages,
    within_variation_shares,
)
from govcluster.quality import data_quality_report
from govcluster.run_guard import snakemake_command
from govcluster.validate import validate_panel


def test_good_panel_passes_every_stage_without_notes(tmp_path):
    path = tmp_path / "panel.csv"
    builders.write_input(builders.good_table(), path, {})
    config = build_config(builders.good_config(str(path)))
    raw = io.read_table(path)
    ingested = ingest_table(raw, config, source=str(path))
    report = validate_panel(ingested, config, source=str(path), current_year=2026)
    assert report.notes == ()
    quality = data_quality_report(ingested, config)
    assert quality.non_values.empty and quality.flagged_values.empty
    result = clean_panel(ingested, config)
    assert len(result.panel) == 24


def test_within_share_matches_a_hand_computation():
    frame = pd.DataFrame({"e": [1, 1, 2, 2], "x": [0.0, 2.0, 10.0, 12.0]})
    # total variance: mean 6, deviations -6,-4,4,6 -> (36+16+16+36)/4 = 26
    # within: deviations from entity means -1,1,-1,1 -> variance 1
    assert within_variation_shares(frame, ["x"], entity="e") == {"x": 1 / 26}
    assert low_within_variation_messages(frame, ["x"], entity="e", estimator="pooled") == ()
    assert low_within_variation_messages(frame, ["x"], entity="e", estimator="entity_fe") == ()
    assert low_within_variation_messages(
        frame, ["x"], entity="e", estimator="entity_fe", threshold=0.05
    )


def test_first_stage_and_future_year_messages():
    assert first_stage_messages("GOV", partial_r2=0.13, f_statistic=40.0) == ()
    assert first_stage_messages("GOV", partial_r2=0.995, f_statistic=1e5)
    assert first_stage_messages("GOV", partial_r2=float("nan"), f_statistic=1.0) == ()
    assert future_year_messages([2020, 2021], current_year=2026) == ()
    assert "2031" in future_year_messages([2020, 2031], current_year=2026)[0]


def test_regressor_with_ordinary_within_variation_gets_no_warning():
    rng = np.random.default_rng(0)
    entity = np.repeat(np.arange(50), 10)
    x = rng.normal(0, 1, 50)[entity] + rng.normal(0, 1, 500)
    frame = pd.DataFrame({"e": entity, "x": x})
    assert low_within_variation_messages(frame, ["x"], entity="e", estimator="twoway_fe") == ()


def test_power_of_ten_screen_leaves_the_configured_typo_to_clean():
    table = builders.good_table()
    table.loc[14 - 2, "补贴"] = f"{float(table.loc[14 - 2, '补贴']) * 100:.1f}"
    raw_config = builders.good_config("panel.csv")
    raw_config["clean"] = {"scale_typos": {"enabled": True}}
    config = build_config(raw_config)
    ingested = table.rename(columns={v: k for k, v in builders.COLUMNS.items()}).rename(
        columns={"集群编码": "cluster_id", "年份": "year"}
    )
    ingested["source_row"] = np.arange(len(ingested)) + 2
    ingested["money_unit"] = ingested.pop("单位")
    years, _ = datachecks.parse_years(ingested["year"])
    parsed = datachecks.parsed_variables(ingested, config)
    flagged = datachecks.screen_values(
        parsed,
        datachecks.entity_keys(ingested["cluster_id"]),
        years,
        ingested["source_row"],
        config,
    )
    assert flagged.empty  # x100 is the scale_typos rule's, which corrects and audits it


def test_guard_always_reruns_incomplete_jobs():
    assert snakemake_command(["snakemake", "--cores", "2"])[-1] == "--rerun-incomplete"
    assert snakemake_command(["snakemake", "--rerun-incomplete"]).count("--rerun-incomplete") == 1
