"""Rule speccurve_fit: one specification of the curve and its permuted fits.

Run as a bare Python process (``shell:``, not ``script:``): hundreds of these jobs run, and
start-up dominates them, so the job imports numpy and the few modules it needs, and no
Snakemake, pandas or scipy. Arguments: the variant file (which also carries the curve's
configuration), the specification's name, the output record and the log.
"""

import os
import sys

# one BLAS thread per job: the scheduler runs as many jobs as there are cores
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import json  # noqa: E402

import numpy as np  # noqa: E402

from govcluster.runner import run_step  # noqa: E402
from govcluster.speccurve.fit import VariantData, fit_specification  # noqa: E402
from govcluster.speccurve.spec import CurveDimensions, enumerate_specifications  # noqa: E402


def main(variant_file, spec_name, output):
    with np.load(variant_file) as arrays:
        arrays = dict(arrays)
    dimensions = CurveDimensions.from_config(json.loads(str(arrays.pop("speccurve"))))
    spec = {s.name: s for s in enumerate_specifications(dimensions)}[spec_name]
    record = fit_specification(VariantData.from_arrays(arrays), spec, dimensions).to_dict()
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(record, handle)


if __name__ == "__main__":
    variant_file, spec_name, output, log = sys.argv[1:5]
    run_step(f"speccurve_fit {spec_name}", log, lambda: main(variant_file, spec_name, output))
