"""Rule compare_truth: estimates on the simulated data against the simulator's truth."""

from govcluster import io
from govcluster.describe import to_markdown_table
from govcluster.runner import run_rule
from govcluster.truth import compare_mediation_with_truth


def main(smk):
    comparison = compare_mediation_with_truth(
        io.read_json(smk.input.mediation), io.read_json(smk.input.truth)
    )
    io.write_csv(comparison, smk.output.csv)
    io.write_text(to_markdown_table(comparison), smk.output.md)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
