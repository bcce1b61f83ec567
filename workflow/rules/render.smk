# Stage 6: publication tables, figures and numbers in the text, rendered from the stored
# estimates. One rule per family of exhibits that read the same files (govcluster.render.plan
# plans the exhibits, govcluster.render.families groups them); rendering reads only results
# files, so it never reruns a model, and a changed file reruns exactly the exhibits that read it.
from govcluster.render.families import exhibit_families
from govcluster.render.plan import planned_exhibits
from govcluster.render.report_sections import (
    DATA_INPUTS,
    INTRO_CAPTION,
    DATA_CAPTIONS,
    SHOWN_FORMAT,
    caption_files,
    report_exhibits,
)

EXHIBITS = planned_exhibits(PROJECT)
FAMILIES = exhibit_families(EXHIBITS)
CAPTIONS = Path(workflow.basedir) / "workflow" / "report"
# Captions in the configured language (workflow/report/zh/ for Chinese, English otherwise)
CAPTION_PREFIX = "zh/" if PROJECT.language == "zh" else ""

RENDER_SOURCES = {
    "summary_statistics": out("results/descriptives/summary_statistics.csv"),
    "cleaning_summary": out("results/data_quality/cleaning_summary.json"),
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
    "index_uncertainty": out("results/estimates/index_weight_uncertainty.json"),
}


def exhibit_files():
    """Rendered exhibits (tables, figures, numbers) of the current configuration."""
    return [out(path) for exhibit in EXHIBITS for path in exhibit.outputs.values()]


def render_targets():
    """Rendered exhibits and the report that collects them with the data stage."""
    return [*exhibit_files(), out("results/report.html")]


def exhibit_inputs(exhibit):
    """The stored results an exhibit (or a family of exhibits) reads, and the rendering code."""
    files = {"code": package_code("render", "records", "registry", "describe")}
    files.update({source: RENDER_SOURCES[source] for source in exhibit.sources})
    if exhibit.panel_jobs:
        files["panel"] = [
            out(f"results/estimates/panel/{job}.json") for job in exhibit.panel_jobs
        ]
    return files


def report_caption(caption):
    """The caption file in the configured language (English when there is no translation)."""
    translated = CAPTIONS / f"{CAPTION_PREFIX}{caption}"
    prefix = CAPTION_PREFIX if translated.is_file() else ""
    return f"../report/{prefix}{caption}"


def exhibit_output(exhibit, extension, path):
    """A file of an exhibit; the one shown (HTML table, PNG figure) is marked for Snakemake's
    report with the exhibit's caption, so that its menu lists each exhibit once."""
    if extension != SHOWN_FORMAT[exhibit.kind]:
        return out(path)
    return report(
        out(path),
        caption=report_caption(exhibit.caption),
        category=exhibit.category,
        subcategory=exhibit.subcategory,
        labels={"exhibit": exhibit.name},
    )


def family_outputs(family):
    """Every file of every exhibit of a family, as <exhibit>_<extension>."""
    return {
        f"{exhibit.name}_{extension}": exhibit_output(exhibit, extension, path)
        for exhibit in family.exhibits
        for extension, path in exhibit.outputs.items()
    }


def family_exhibits(family):
    """What the rendering script needs of each exhibit: name, kind and output stem."""
    return [
        {"name": exhibit.name, "kind": exhibit.kind, "stem": out(exhibit.stem)}
        for exhibit in family.exhibits
    ]


def report_data_inputs():
    """The data stage's files the report shows (the truth comparisons for simulated data)."""
    optional = {"truth", "truth_md", "case_truth"}
    inputs = {
        key: out(path) for key, path in DATA_INPUTS.items() if key not in optional
    }
    if PROJECT.simulate.enabled and RUN_MEDIATION:
        inputs.update(
            truth=out(DATA_INPUTS["truth"]), truth_md=out(DATA_INPUTS["truth_md"])
        )
    if PROJECT.simulate.enabled and RUN_CASE_STUDY:
        inputs["case_truth"] = out(DATA_INPUTS["case_truth"])
    return inputs


for family in FAMILIES:

    rule:
        name:
            family.rule
        input:
            **exhibit_inputs(family),
            script=workflow_script("render_exhibit"),
        output:
            **family_outputs(family),
        log:
            out(f"logs/render/{family.name}.log"),
        priority: rule_priority(family.rule)
        params:
            config=rule_config(family.rule),
            exhibits=family_exhibits(family),
        run:
            run_in_job_server(rule, input, output, params, wildcards, log)
