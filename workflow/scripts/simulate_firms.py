"""Rule simulate_firms: firm-year microdata consistent with the simulated cluster panel."""

from pathlib import Path

from govcluster import io
from govcluster.runner import run_rule
from govcluster.simulate_firms import FirmDesign, simulate_firm_panel
from govcluster.workflow_config import slice_values


def main(smk):
    values = slice_values(smk.params.config)
    settings = dict(values["aggregate"]["simulate_firms"])
    raw = io.read_table(smk.input.raw, format="csv")
    latent = io.read_parquet(smk.input.latent)
    typos = io.read_json(smk.input.truth)["messiness"]["typos"]
    design = FirmDesign(
        **{k: settings[k] for k in ("size_sd", "productivity_sd", "concentration") if k in settings}
    )
    panel = simulate_firm_panel(
        raw,
        latent,
        seed=values["seed"],
        typos=typos,
        firm_scale=settings.get("firm_scale", 1.0),
        design=design,
    )
    by_year = dict(tuple(panel.firms.groupby("year")))
    for path in smk.output.firms:
        year = int(Path(path).stem.rsplit("_", 1)[1])
        io.write_parquet(by_year[year].reset_index(drop=True), path)
    io.write_csv(panel.cluster_map, smk.output.mapping)


run_rule(snakemake, main)  # noqa: F821
