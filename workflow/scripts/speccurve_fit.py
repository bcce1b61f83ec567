"""Rule speccurve_fit: one specification of the curve and its permuted fits.

Light on purpose (numpy only, no pandas or scipy): hundreds of these jobs run, and Python's
start-up dominates them.
"""

import os

# one BLAS thread per job: the scheduler runs as many jobs as there are cores
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json  # noqa: E402

import numpy as np  # noqa: E402

from govcluster.runner import run_step  # noqa: E402
from govcluster.speccurve.fit import VariantData, fit_specification  # noqa: E402
from govcluster.speccurve.spec import dimensions_from_slice, enumerate_specifications  # noqa: E402


def main(smk):
    dimensions = dimensions_from_slice(smk.params.config)
    spec = {s.name: s for s in enumerate_specifications(dimensions)}[smk.wildcards.spec]
    with np.load(smk.input.variant) as arrays:
        data = VariantData.from_arrays(dict(arrays))
    record = fit_specification(data, spec, dimensions).to_dict()
    with open(smk.output.estimate, "w", encoding="utf-8") as handle:
        json.dump(record, handle)


run_step(f"speccurve_fit {snakemake.wildcards.spec}", snakemake.log[0], lambda: main(snakemake))  # noqa: F821
