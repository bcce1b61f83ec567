"""Rule case_study_truth: the case study's estimates against the simulator's known effects."""

from govcluster import io
from govcluster.casestudy import CaseStudyResult
from govcluster.casestudy.plan import case_study_truth_table
from govcluster.runner import run_rule


def main(smk):
    table = case_study_truth_table(
        CaseStudyResult.from_dict(io.read_json(smk.input.estimate)),
        io.read_json(smk.input.truth),
        io.read_parquet(smk.input.analysis),
    )
    io.write_csv(table, smk.output.csv)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
