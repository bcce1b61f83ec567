"""Rule metrics: the key estimates of the run, for DVC and the golden-file check."""

from pathlib import Path

import pandas as pd

from govcluster import io
from govcluster.metrics import HORIZON_COLUMNS, horizon_profile, key_estimates
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    panel = {Path(p).stem: io.read_json(p) for p in smk.input.panel}
    mediation = io.read_json(smk.input.mediation[0]) if smk.input.mediation else None
    io.write_json(
        key_estimates(
            panel, mediation, treatment=project_from_slice(smk.params.config).roles.treatment
        ),
        smk.output.metrics,
    )
    horizons = pd.DataFrame(horizon_profile(panel), columns=HORIZON_COLUMNS)
    io.write_csv(horizons, smk.output.horizons)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
