"""results/numbers/did.tex: one macro per key did number, values as the records hold them."""

from __future__ import annotations

import re

from govcluster.render.did_numbers import did_macros, did_numbers
from govcluster.render.numbers import latex_number, latex_pvalue


def test_did_macros_carry_the_recorded_numbers(did_records):
    macros = {m.name: m.value for m in did_macros(did_records)}
    record = did_records["SCA"]["outcomes"][0]
    estimators = {e["estimator"]: e for e in record["estimators"]}
    cs = next(r for r in estimators["callaway_santanna"]["aggregations"] if r["level"] == "overall")
    twfe = next(r for r in estimators["twfe"]["aggregations"] if r["level"] == "overall")
    assert macros["DidSCACallawaySantanna"] == latex_number(cs["estimate"], 3)
    assert macros["DidSCACallawaySantannaSE"] == latex_number(cs["se"], 3)
    assert macros["DidSCATwfeMinusCallawaySantanna"] == latex_number(
        twfe["estimate"] - cs["estimate"], 3
    )
    assert macros["DidSCACallawaySantannaPretrendP"] == latex_pvalue(
        estimators["callaway_santanna"]["pretrend"]["p_value"]
    )
    honest = record["honest"][0]
    assert macros["DidSCABreakdownRelativeMagnitude"] == latex_number(honest["breakdown_M"], 3)
    assert macros["DidOPENImputation"]  # every outcome gets its macros
    assert macros["DidClusters"] == str(did_records["SCA"]["sample"]["n_units"])
    text = did_numbers(did_records)
    names = re.findall(r"\\newcommand\{\\([A-Za-z]+)\}", text)
    assert len(names) == len(set(names)) == len(macros)


def test_intensity_and_smoothness_macros_carry_the_recorded_numbers():
    """A record with the Wald-DiD and the smoothness restriction gets their macros too."""
    import json

    from govcluster.did import DidSpec, estimate_did
    from govcluster.did.spec import HonestSpec
    from govcluster.simulate import simulate_latent_panel

    latent, _ = simulate_latent_panel(
        n_clusters=60, years=(2008, 2016), case_study_cluster=0, designation_last_year=2014
    )
    latent["demo_cluster"] = latent["D"]
    spec = DidSpec(
        outcomes=("SCA",),
        event_window=(-3, 3),
        n_bootstrap=0,
        sup_t_draws=100,
        estimators=("twfe", "callaway_santanna"),
        intensity="GOV",
        honest=HonestSpec(methods=("relative_magnitude", "smoothness")),
    )
    records = {"SCA": json.loads(json.dumps(estimate_did(latent, spec).to_dict()))}
    macros = {m.name: m.value for m in did_macros(records)}
    record = records["SCA"]["outcomes"][0]
    intensity = record["intensity"]
    assert macros["DidSCAPerUnitGOV"] == latex_number(intensity["estimate"], 3)
    assert macros["DidSCAPerUnitGOVSE"] == latex_number(intensity["se"], 3)
    smoothness = next(h for h in record["honest"] if h["method"] == "smoothness")
    assert macros["DidSCABreakdownSmoothness"] == latex_number(smoothness["breakdown_M"], 3)
