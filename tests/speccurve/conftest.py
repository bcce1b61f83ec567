"""Fixtures of the specification-curve tests (helpers in speccurve_panels.py)."""

import pytest
from speccurve_panels import latent_panel, small_dimensions

from govcluster.speccurve.variants import variant_arrays


@pytest.fixture(scope="session")
def unbalanced_panel():
    """A seeded latent panel of 240 clusters with 40 cluster-years missing."""
    return latent_panel(11, drop_rows=40)


@pytest.fixture(scope="session")
def unbalanced_variant(unbalanced_panel):
    dims = small_dimensions()
    return variant_arrays(unbalanced_panel, dims, name="entropy_winsorised")
