"""Rule mediation: parallel and single-mediator analysis with the cluster bootstrap."""

from govcluster import io
from govcluster.config import build_config
from govcluster.mediation.plan import run_configured_mediation
from govcluster.runner import run_rule


def main(smk):
    result = run_configured_mediation(io.read_parquet(smk.input.analysis), build_config(smk.config))
    io.write_json(result.to_dict(), smk.output.estimate)
    io.write_parquet(result.boot, smk.output.boot)


run_rule(snakemake, main)  # noqa: F821
