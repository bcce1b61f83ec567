"""Rules render_<family>: the exhibits that read the same stored results, in all their formats.

The families are made by govcluster.render.families; each exhibit is a table, a figure or a
numbers file.
"""

from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
from govcluster.render.latex import latex_options
from govcluster.runner import run_rule
from govcluster.workflow_config import project_from_slice


def main(smk):
    sources = load_sources(
        {key: value for key, value in smk.input.items() if key not in ("code", "script")}
    )
    project = project_from_slice(smk.params.config)
    latex = latex_options(project.raw)
    for exhibit in smk.params.exhibits:
        built = build_exhibit(exhibit["name"], sources, project)
        write_exhibit(exhibit["kind"], built, exhibit["stem"], latex=latex)


if __name__ == "__main__":  # run as a Snakemake script; rules import main()
    run_rule(snakemake, main)  # noqa: F821
