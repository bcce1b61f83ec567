"""Treatment-mediator interaction mediation on a panel (Mundlak device, R ``INT = TRUE``).

Seeded panel: ``M = a T + alpha_i + lambda_t + e``, ``Y = c T + b M + d T M + alpha_i + u``
with cluster effects correlated with ``T``. With the contrast ``t0 = mean(T)`` to
``t1 = t0 + sd(T)``, ``ACME(t) = (b + d t) a (t1 - t0)`` and
``ADE(t) = (c + d M_bar(t)) (t1 - t0)``; the test of ACME(treated) = ACME(control) has
truth ``d a (t1 - t0)^2``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govcluster.mediation.interaction import (
    InteractionMediationResult,
    _mundlak_frame,
    interaction_mediation,
)
from govcluster.mediation.nonlinear_models import design_matrix

A, B, C, D = 0.5, 0.4, 0.2, 0.15


def _panel(seed: int = 4, n: int = 150, t: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alpha = rng.standard_normal(n)
    ent = np.repeat(np.arange(n), t)
    year = np.tile(np.arange(2010, 2010 + t), n)
    lam = rng.normal(0, 0.3, t)[year - 2010]
    T = 1.0 + alpha[ent] + rng.standard_normal(n * t)
    M = A * T + alpha[ent] + lam + rng.standard_normal(n * t)
    Y = C * T + B * M + D * T * M + 0.8 * alpha[ent] + lam + rng.standard_normal(n * t)
    x = rng.standard_normal(n * t)
    frame = pd.DataFrame(
        {"cluster_id": [f"C{i:03d}" for i in ent], "year": year, "GOV": T, "OPEN": M, "SCA": Y}
    )
    frame["ln_firms"] = x
    return frame.iloc[3:].reset_index(drop=True)  # unbalanced: the first cluster loses 3 years


def test_mundlak_gives_the_fixed_effects_slopes():
    """The outcome equation's slopes equal least squares with cluster and year dummies."""
    d = _panel(n=60)
    frame, _, cov_y = _mundlak_frame(
        d,
        treatment="GOV",
        mediator="OPEN",
        outcome="SCA",
        controls=("ln_firms",),
        entity="cluster_id",
        time="year",
    )
    X, names = design_matrix(frame, ["GOV", "OPEN", "__TxM", *cov_y])
    mundlak = np.linalg.lstsq(X, frame["SCA"].to_numpy(), rcond=None)[0]
    dummies = pd.get_dummies(d[["cluster_id", "year"]].astype(str), drop_first=True, dtype=float)
    Xd = np.column_stack(
        [np.ones(len(d)), d["GOV"], d["OPEN"], d["GOV"] * d["OPEN"], d["ln_firms"], dummies]
    )
    within = np.linalg.lstsq(Xd, d["SCA"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(mundlak[1:5], within[1:5], rtol=1e-8)
    assert names[1:4] == ["GOV", "OPEN", "__TxM"]


def test_recovers_acme_under_control_and_treatment_and_the_interaction_test():
    d = _panel()
    res = interaction_mediation(
        d,
        treatment="GOV",
        mediators=["OPEN"],
        outcome="SCA",
        controls=["ln_firms"],
        sims=1000,
        seed=2,
        level=0.999,
    )
    (r,) = res.results
    t0, t1 = r.contrast.control_value, r.contrast.treat_value
    assert r.contrast.rule == "one_sd"
    truth = {
        "acme_control": (B + D * t0) * A * (t1 - t0),
        "acme_treated": (B + D * t1) * A * (t1 - t0),
    }
    for key, value in truth.items():
        effect = r.effects[key]
        assert effect.ci_lower < value < effect.ci_upper, (key, effect, value)
    diff = r.interaction_test
    true_diff = D * A * (t1 - t0) ** 2
    assert diff.ci_lower < true_diff < diff.ci_upper
    assert diff.ci_lower > 0  # d > 0 is detected
    again = InteractionMediationResult.from_dict(res.to_dict())
    assert again.results[0].effects == r.effects


@pytest.mark.exhibits
def test_configured_run_and_table_in_both_languages(default_config_dict, tmp_path):
    import copy

    from govcluster.config import build_config
    from govcluster.mediation.plan import run_configured_interaction_mediation
    from govcluster.render.catalog import build_exhibit, write_exhibit

    config = copy.deepcopy(default_config_dict)
    assert run_configured_interaction_mediation(None, build_config(config)) is None  # off
    config["mediation"]["interaction"] = {"enabled": True, "sims": 200}
    config["roles"]["mediators"] = ["OPEN"]
    data = _panel(n=60).assign(ln_employment=0.0, ln_gdp_pc=0.0)
    data["ln_employment"] = np.random.default_rng(1).standard_normal(len(data))
    data["ln_gdp_pc"] = np.random.default_rng(2).standard_normal(len(data))
    result = run_configured_interaction_mediation(data, build_config(config))
    assert result.mediators == ("OPEN",) and result.results[0].sims == 200
    for language in ("en", "zh"):
        project = build_config({**config, "language": language})
        table = build_exhibit("mediation_interaction", {"interaction": result.to_dict()}, project)
        written = write_exhibit("table", table, tmp_path / language / "mediation_interaction")
        assert {p.suffix for p in written} == {".tex", ".md", ".html", ".docx", ".csv"}
        text = (tmp_path / language / "mediation_interaction.md").read_text("utf-8")
        assert ("Treatment contrast" in text) if language == "en" else ("处理对比" in text)
        assert set(table.numbers["quantity"]) >= {"acme_control", "acme_treated", "acme_diff"}
