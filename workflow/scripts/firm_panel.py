"""Rule firm_panel: simulated firm panel with a cluster-level treatment of known effect."""

from govcluster import io
from govcluster.firm_outcomes import FirmOutcomeDesign, simulate_firm_outcome_panel
from govcluster.runner import run_rule
from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    settings = values["firm_panel"]
    panel = simulate_firm_outcome_panel(
        io.read_table(smk.input.raw, format="csv"),
        io.read_parquet(smk.input.latent),
        seed=values["seed"],
        typos=io.read_json(smk.input.truth)["messiness"]["typos"],
        firm_scale=settings["firm_scale"],
        design=FirmOutcomeDesign(**settings["design"]),
    )
    io.write_parquet(panel.frame, smk.output.panel)
    io.write_json(panel.truth, smk.output.truth)


run_rule(snakemake, main)  # noqa: F821
