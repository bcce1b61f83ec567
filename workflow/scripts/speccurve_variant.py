"""Rule speccurve_variant: one data variant of the curve (index method x winsorising)."""

import numpy as np

from govcluster import io
from govcluster.runner import run_rule
from govcluster.speccurve.spec import dimensions_from_slice
from govcluster.speccurve.variants import build_variant
from govcluster.workflow_config import project_from_slice


def main(smk):
    variant = build_variant(
        io.read_parquet(smk.input.ingested),
        project_from_slice(smk.params.config),
        dimensions_from_slice(smk.params.config),
        name=smk.wildcards.variant,
    )
    with open(smk.output.variant, "wb") as handle:
        np.savez(handle, **variant.to_npz_arrays(smk.params.config["values"]["speccurve"]))


run_rule(snakemake, main)  # noqa: F821
