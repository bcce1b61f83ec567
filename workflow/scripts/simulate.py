"""Rule simulate: draw the default simulated cluster panel and its truth."""

from govcluster import io
from govcluster.runner import run_rule
from govcluster.simulate import simulate_cluster_panel
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    settings = project.simulate
    raw, truth = simulate_cluster_panel(
        n_clusters=settings.n_clusters,
        years=(settings.first_year, settings.last_year),
        seed=project.seed,
        **settings.params,
    )
    io.write_csv(raw, smk.output.raw)
    io.write_json(truth.to_json_dict(), smk.output.truth)
    io.write_parquet(truth.latent, smk.output.latent)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
