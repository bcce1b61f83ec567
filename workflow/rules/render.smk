# Stage 6: publication tables, figures and numbers in the text, rendered from the stored
# estimates. One rule per exhibit of the configuration (govcluster.render.catalog plans them);
# rendering reads only results files, so it never reruns a model.
from govcluster.render.plan import planned_exhibits

EXHIBITS = planned_exhibits(PROJECT)

RENDER_SOURCES = {
    "summary_statistics": out("results/descriptives/summary_statistics.csv"),
    "correlations": out("results/descriptives/correlations.csv"),
    "index_weights": out("results/descriptives/index_weights.csv"),
    "index_reliability": out("results/descriptives/index_reliability.csv"),
    "analysis": out("data/processed/analysis_panel.parquet"),
    "mediation": out("results/estimates/mediation.json"),
    "bootstrap": out("results/estimates/mediation_bootstrap.parquet"),
    "case_study": out("results/estimates/casestudy/case_study.json"),
    "did": [out(f"results/estimates/did/{outcome}.json") for outcome in DID_OUTCOMES],
    "moderated": out("results/estimates/mediation_moderated.json"),
    "interaction": out("results/estimates/mediation_interaction.json"),
}


def render_targets():
    """Rendered exhibits (tables, figures, numbers) of the current configuration."""
    return [out(path) for exhibit in EXHIBITS for path in exhibit.outputs.values()]


def exhibit_inputs(exhibit):
    """The stored results an exhibit reads, and the rendering code."""
    files = {"code": package_code("render", "records", "registry", "describe")}
    files.update({source: RENDER_SOURCES[source] for source in exhibit.sources})
    if exhibit.panel_jobs:
        files["panel"] = [
            out(f"results/estimates/panel/{job}.json") for job in exhibit.panel_jobs
        ]
    return files


def exhibit_outputs(exhibit):
    """Every file of an exhibit, marked for the report with the exhibit's caption."""
    return {
        extension: report(
            out(path),
            caption=f"../report/{exhibit.caption}",
            category=exhibit.category,
            subcategory=exhibit.subcategory,
            labels={"exhibit": exhibit.name, "format": extension},
        )
        for extension, path in exhibit.outputs.items()
    }


for exhibit in EXHIBITS:

    rule:
        name:
            f"render_{exhibit.name}"
        input:
            **exhibit_inputs(exhibit),
        output:
            **exhibit_outputs(exhibit),
        log:
            out(f"logs/render/{exhibit.name}.log"),
        params:
            config=rule_config(f"render_{exhibit.name}"),
            exhibit=exhibit.name,
            kind=exhibit.kind,
        script:
            "../scripts/render_exhibit.py"
