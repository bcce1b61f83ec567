"""Rule firm_panel: simulated firm panel with a cluster-level treatment of known effect."""

from govcluster import io
from govcluster.firm_outcomes import FirmOutcomeDesign, draw_firm_case
from govcluster.runner import run_rule
from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    simulate, settings = values["simulate"], values["firm_panel"]
    panel = draw_firm_case(
        n_clusters=simulate["n_clusters"],
        years=(simulate["first_year"], simulate["last_year"]),
        seed=values["seed"],
        simulate_params=simulate["params"],
        firm_scale=settings["firm_scale"],
        design=FirmOutcomeDesign(**settings["design"]),
    )
    io.write_parquet(panel.frame, smk.output.panel)
    io.write_json(panel.truth, smk.output.truth)


run_rule(snakemake, main)  # noqa: F821
