# Specification curve of the treatment's coefficient (target `speccurve`, not part of `all`;
# docs/methods/specification_curve.md). The data variants (index method x winsorising) are
# built once each; every specification is its own light job (numpy only) reading its variant,
# so the curve spreads over a cluster; one job assembles the curve and its joint permutation
# test, one renders the figure, the table and the numbers.
from govcluster.speccurve.spec import CurvePlan

SPECCURVE_DIR = out("results/speccurve")
# Enumerated when the curve is asked for: a bad section (over the cap, an unknown option)
# stops the run then, before any job, with the config key named.
SPECCURVE = CurvePlan(config.get("speccurve", {}))


rule speccurve_variant:
    input:
        code=package_code(
            "clean",
            "indices",
            "categories",
            "parsing",
            "regions",
            "datachecks",
            "speccurve",
        ),
        ingested=out("data/interim/ingested.parquet"),
    output:
        variant=f"{SPECCURVE_DIR}/variants/{{variant}}.npz",
    log:
        out("logs/speccurve/variant_{variant}.log"),
    wildcard_constraints:
        variant="(entropy|pca|zscore)_(winsorised|raw)",
    params:
        config=rule_config("speccurve_variant"),
    script:
        "../scripts/speccurve_variant.py"


rule speccurve_fit:
    input:
        code=[
            str(PACKAGE / "errors.py"),
            str(PACKAGE / "runner.py"),
            *[
                str(PACKAGE / "speccurve" / f"{m}.py")
                for m in ("__init__", "spec", "fit", "permutation")
            ],
        ],
        script=str(Path(workflow.basedir) / "workflow" / "scripts" / "speccurve_fit.py"),
        variant=lambda wildcards: SPECCURVE.variant_file(SPECCURVE_DIR, wildcards.spec),
    output:
        estimate=f"{SPECCURVE_DIR}/specifications/{{spec}}.json",
    log:
        out("logs/speccurve/fit_{spec}.log"),
    wildcard_constraints:
        spec=r"s\d+",
    params:
        config=rule_config("speccurve_fit"),
        python=sys.executable,
    # a bare Python process (no script: preamble): the job starts in a fraction of a second
    shell:
        "{params.python:q} {input.script:q} {input.variant:q} {wildcards.spec:q} "
        "{output.estimate:q} {log:q}"


rule speccurve_assemble:
    input:
        code=package_code("speccurve"),
        estimates=lambda wildcards: SPECCURVE.estimate_files(SPECCURVE_DIR),
    output:
        curve=out("results/estimates/speccurve.json"),
        table=out("results/estimates/speccurve_specifications.csv"),
    log:
        out("logs/speccurve/assemble.log"),
    params:
        config=rule_config("speccurve_assemble"),
    script:
        "../scripts/speccurve_assemble.py"


rule speccurve_render:
    input:
        code=package_code("speccurve", "render"),
        curve=out("results/estimates/speccurve.json"),
    output:
        figure_png=report(
            out("results/figures/specification_curve.png"),
            caption=report_caption("specification_curve.rst"),
            category="Specification curve",
        ),
        figure_pdf=out("results/figures/specification_curve.pdf"),
        tables=multiext(
            out("results/tables/specification_curve"),
            ".tex",
            ".md",
            ".html",
            ".docx",
            ".csv",
        ),
        numbers=out("results/numbers/speccurve.tex"),
    log:
        out("logs/speccurve/render.log"),
    params:
        config=rule_config("speccurve_render"),
    script:
        "../scripts/speccurve_render.py"


rule speccurve:
    input:
        speccurve_targets(),
    localrule: True
