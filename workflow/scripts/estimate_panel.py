"""Rule estimate_panel: one panel specification of the configuration, saved as JSON."""

from govcluster import io
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    job = project_panel_jobs(project_from_slice(smk.params.config))[smk.wildcards.job]
    record = run_panel_job(io.read_parquet(smk.input.analysis), job)
    io.write_json(record, smk.output.estimate)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
