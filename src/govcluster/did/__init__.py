"""Staggered adoption: TWFE, Goodman-Bacon, Callaway-Sant'Anna, Sun-Abraham, BJS, HonestDiD.

See docs/methods/did.md for the methods, the engine chosen for each and the evidence.
"""

from govcluster.did.data import StaggeredSample, prepare_staggered_sample
from govcluster.did.plan import estimate_did, run_configured_did
from govcluster.did.results import (
    BaconResult,
    DidResults,
    EstimatorResult,
    HonestResult,
    IntensityResult,
    OutcomeResults,
)
from govcluster.did.spec import DidSpec, HonestSpec

__all__ = [
    "BaconResult",
    "DidResults",
    "DidSpec",
    "EstimatorResult",
    "HonestResult",
    "HonestSpec",
    "IntensityResult",
    "OutcomeResults",
    "StaggeredSample",
    "estimate_did",
    "prepare_staggered_sample",
    "run_configured_did",
]
