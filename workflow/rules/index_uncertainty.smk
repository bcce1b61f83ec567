# Stage 5b: intervals of the mediation and the baseline panel models when the index weights are
# re-estimated in every bootstrap replicate (inference.index_weights; off unless enabled).


rule index_weight_uncertainty:
    input:
        script=workflow_script("index_weight_uncertainty"),
        code=package_code(
            "index_bootstrap",
            "index_replicates",
            "mediation",
            "panel",
            "core",
            "records",
            "registry",
        ),
        analysis=out("data/processed/analysis_panel.parquet"),
        cleaned=out("data/processed/panel.parquet"),
    output:
        estimate=out("results/estimates/index_weight_uncertainty.json"),
    log:
        out("logs/index_weight_uncertainty.log"),
    params:
        config=rule_config("index_weight_uncertainty"),
    run:
        run_in_job_server(rule, input, output, params, wildcards, log)
