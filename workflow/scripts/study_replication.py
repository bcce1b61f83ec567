"""Rule study_replication: one simulated panel of the study and the estimators run on it."""

from govcluster import io
from govcluster.runner import run_rule
from govcluster.study import build_study_spec, run_replication
from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    spec = build_study_spec(values["study"], seed=values["seed"])
    result = run_replication(spec, spec.design(smk.wildcards.design), int(smk.wildcards.rep))
    io.write_json(result.to_dict(), smk.output.record)


run_rule(snakemake, main)  # noqa: F821
