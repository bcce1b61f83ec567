"""Moderated mediation in the pipeline: configuration, the mediation rule's call, exhibits.

An analysis panel with the default roles and controls (80 clusters, 8 years) drawn with the
simulator's mechanism paths (``a_k`` 1.5 times as large in the less-developed regions; see
``test_moderated``) goes through the configured analysis, then the table and the figure in
every format and both languages through :mod:`govcluster.render`.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from moderated_dgp import _draw, _frame

from govcluster.config import build_config
from govcluster.errors import EstimationError
from govcluster.mediation.moderated import ModeratedMediationResult
from govcluster.mediation.plan import run_configured_moderated_mediation
from govcluster.render.catalog import build_exhibit, write_exhibit
from govcluster.render.plan import planned_exhibit, planned_exhibits


@pytest.fixture(scope="module")
def simulated_analysis_panel():
    rng = np.random.default_rng(8)
    T, M, Y, less = _draw(rng, 1, 80, 8)
    frame = _frame(T[0], M[0], Y[0], less)
    for control in ("ln_employment", "ln_firms", "ln_gdp_pc"):
        frame[control] = rng.standard_normal(len(frame))
    return frame


def _config(default_config_dict, **moderated):
    config = copy.deepcopy(default_config_dict)
    config["mediation"]["n_boot"] = 200
    config["mediation"]["moderated"] = {**config["mediation"]["moderated"], **moderated}
    return config


def test_disabled_by_default_plans_nothing(default_config_dict):
    project = build_config(copy.deepcopy(default_config_dict))
    names = [exhibit.name for exhibit in planned_exhibits(project)]
    assert "mediation_moderated" not in names and "mediation_moderated_effects" not in names
    assert run_configured_moderated_mediation(None, project) is None


@pytest.mark.exhibits
def test_enabled_runs_renders_and_recovers_the_regional_pattern(
    default_config_dict, tmp_path, simulated_analysis_panel
):
    config = _config(default_config_dict, enabled=True)
    project = build_config(config)
    assert planned_exhibit(project, "mediation_moderated").sources == ("moderated",)
    result = run_configured_moderated_mediation(simulated_analysis_panel, project)
    assert isinstance(result, ModeratedMediationResult)
    assert result.levels == ("east", "less_developed") and result.n_boot == 200
    total = result.conditional.set_index(["mediator", "level"])["indirect"]
    assert total[("TOTAL", "less_developed")] > total[("TOTAL", "east")]
    record = result.to_dict()
    for language in ("en", "zh"):
        project = build_config({**config, "language": language})
        for name, kind, extensions in (
            ("mediation_moderated", "table", {".tex", ".md", ".html", ".docx", ".csv"}),
            ("mediation_moderated_effects", "figure", {".png", ".pdf"}),
        ):
            built = build_exhibit(name, {"moderated": record}, project)
            written = write_exhibit(kind, built, tmp_path / language / name)
            assert {path.suffix for path in written} == extensions
            assert all(path.stat().st_size > 0 for path in written)
    markdown = (tmp_path / "zh" / "mediation_moderated.md").read_text("utf-8")
    assert "欠发达地区" in markdown and "调节中介指数" in markdown


def test_a_small_group_stops_with_the_fix(default_config_dict, simulated_analysis_panel):
    data = simulated_analysis_panel
    first = sorted(data["cluster_id"].unique())[:3]
    data = data.assign(region=np.where(data["cluster_id"].isin(first), "north", data["region"]))
    config = _config(
        default_config_dict,
        enabled=True,
        groups={"north": ["north"], "rest": ["east", "central", "west"]},
    )
    with pytest.raises(EstimationError, match="group 'north' of 'region' has 3 cluster"):
        run_configured_moderated_mediation(data, build_config(config))
