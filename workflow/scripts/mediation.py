"""Rule mediation: parallel and single-mediator analysis with the cluster bootstrap."""

from govcluster import io
from govcluster.mediation.plan import run_configured_mediation
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    result = run_configured_mediation(io.read_parquet(smk.input.analysis), project)
    io.write_json(result.to_dict(), smk.output.estimate)
    io.write_parquet(result.boot, smk.output.boot)


run_rule(snakemake, main)  # noqa: F821
