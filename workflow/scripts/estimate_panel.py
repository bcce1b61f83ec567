"""Rule estimate_panel: one panel specification of the configuration, saved as JSON."""

from govcluster import io
from govcluster.config import build_config
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.runner import run_rule


def main(smk):
    job = project_panel_jobs(build_config(smk.config))[smk.wildcards.job]
    record = run_panel_job(io.read_parquet(smk.input.analysis), job)
    io.write_json(record, smk.output.estimate)


run_rule(snakemake, main)  # noqa: F821
