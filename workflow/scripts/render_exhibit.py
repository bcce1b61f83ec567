"""Rules render_<exhibit>: one table, figure or numbers file from the stored results."""

from pathlib import Path

from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
from govcluster.render.latex import latex_options
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    sources = load_sources({key: value for key, value in smk.input.items() if key != "code"})
    project = project_from_slice(smk.params.config)
    built = build_exhibit(smk.params.exhibit, sources, project)
    stem = Path(smk.output[0]).with_suffix("")
    write_exhibit(smk.params.kind, built, stem, latex=latex_options(project.raw))


run_rule(snakemake, main)  # noqa: F821
