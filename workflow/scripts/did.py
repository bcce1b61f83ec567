"""Rule did: every staggered-adoption estimator on one outcome, saved as JSON."""

from govcluster import io
from govcluster.did import run_configured_did
from govcluster.runner import run_rule
from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    section = {**values["did"], "outcomes": [smk.wildcards.outcome]}
    result = run_configured_did(io.read_parquet(smk.input.analysis), section, seed=values["seed"])
    io.write_json(result.to_dict(), smk.output.estimate)


run_rule(snakemake, main)  # noqa: F821
