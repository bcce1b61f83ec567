"""Rule did: every staggered-adoption estimator on one configured outcome, one JSON."""

from govcluster import io
from govcluster.did import run_configured_did
from govcluster.runner import run_rule
from govcluster.user_names import user_names
from govcluster.workflow_config import project_from_slice, slice_values


def main(smk):
    values = slice_values(smk.params.config)
    names = user_names(project_from_slice(smk.params.config))
    analysis = io.read_parquet(smk.input.analysis)
    section = {**values["did"], "outcomes": [smk.wildcards.outcome]}
    result = run_configured_did(analysis, section, seed=values["seed"], names=names)
    io.write_json(result.to_dict(), smk.output.estimate)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
