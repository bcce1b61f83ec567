# Stage 4: panel models of the outcome on the treatment, one job per specification.


rule estimate_panel:
    input:
        code=package_code(
            "panel",
            "core",
            "categories",
            "model_diagnostics",
            "records",
            "registry",
            "inference",
        ),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        estimate=out("results/estimates/panel/{job}.json"),
    log:
        out("logs/estimate_panel/{job}.log"),
    wildcard_constraints:
        job="|".join(PANEL_JOBS) or "no-panel-jobs",
    params:
        config=rule_config("estimate_panel"),
    script:
        "../scripts/estimate_panel.py"
