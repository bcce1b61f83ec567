# Stage 4: panel models of the outcome on the treatment, one job per specification; each job's
# config param holds the shared model settings and its own entry (panel_job_config).


rule estimate_panel:
    input:
        script=workflow_script("estimate_panel"),
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
        config=panel_job_config,
    run:
        run_in_job_server(rule, input, output, params, wildcards, log)
