"""Rule case_study: synthetic control, in-space placebos and synthetic DiD of one cluster."""

from govcluster import io
from govcluster.casestudy.plan import run_configured_case_study
from govcluster.runner import run_rule


def main(smk):
    panel = io.read_parquet(smk.input.analysis)
    result = run_configured_case_study(panel, smk.params.case_study, seed=smk.params.seed)
    io.write_json(result.to_dict(), smk.output.estimate)


run_rule(snakemake, main)  # noqa: F821
