"""Rule estimate_panel: one panel specification of the configuration, saved as JSON."""

from govcluster import io
from govcluster.config import build_config
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.runner import run_step


def main(smk):
    job = project_panel_jobs(build_config(smk.config))[smk.wildcards.job]
    record = run_panel_job(io.read_parquet(smk.input.analysis), job)
    io.write_json(record, smk.output.estimate)


run_step(f"estimate_panel {snakemake.wildcards.job}", snakemake.log[0], lambda: main(snakemake))  # noqa: F821
