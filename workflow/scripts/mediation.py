"""Rule mediation: parallel and single-mediator analysis with the cluster bootstrap.

With ``mediation.moderated.enabled`` it also writes the moderated mediation record, with
``mediation.interaction.enabled`` the treatment-mediator interaction record.
"""

from govcluster import io
from govcluster.mediation.plan import (
    run_configured_interaction_mediation,
    run_configured_mediation,
    run_configured_moderated_mediation,
)
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    project = project_from_slice(smk.params.config)
    data = io.read_parquet(smk.input.analysis)
    result = run_configured_mediation(data, project)
    io.write_json(result.to_dict(), smk.output.estimate)
    io.write_parquet(result.boot, smk.output.boot)
    if "moderated" in smk.output.keys():
        moderated = run_configured_moderated_mediation(data, project)
        io.write_json(moderated.to_dict(), smk.output.moderated)
    if "interaction" in smk.output.keys():
        interaction = run_configured_interaction_mediation(data, project)
        io.write_json(interaction.to_dict(), smk.output.interaction)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
