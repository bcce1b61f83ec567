"""Rule index_weight_uncertainty: bootstrap intervals with re-estimated index weights."""

from govcluster import io
from govcluster.index_bootstrap import baseline_jobs, index_weight_uncertainty
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    result = index_weight_uncertainty(
        io.read_parquet(smk.input.analysis),
        io.read_parquet(smk.input.cleaned),
        project,
        panel_jobs=baseline_jobs(project),
    )
    io.write_json(result.to_dict(), smk.output.estimate)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
