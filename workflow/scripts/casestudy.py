"""Rule case_study: synthetic control, in-space placebos and synthetic DiD of one cluster."""

from govcluster import io
from govcluster.casestudy.plan import run_configured_case_study
from govcluster.runner import run_rule
from govcluster.workflow_config import slice_values


def main(smk):
    panel = io.read_parquet(smk.input.analysis)
    values = slice_values(smk.params.config)
    result = run_configured_case_study(panel, values["case_study"], seed=values["seed"])
    io.write_json(result.to_dict(), smk.output.estimate)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
