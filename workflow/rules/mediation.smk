# Stage 5: how the treatment works through the mechanisms (mediation).


# mediation.moderated.enabled adds the moderated mediation record (same sample, same draws).
MODERATED_OUTPUT = (
    {"moderated": out("results/estimates/mediation_moderated.json")}
    if (PROJECT.mediation.get("moderated") or {}).get("enabled", False)
    else {}
)
# mediation.interaction.enabled adds the treatment-mediator interaction record.
INTERACTION_OUTPUT = (
    {"interaction": out("results/estimates/mediation_interaction.json")}
    if (PROJECT.mediation.get("interaction") or {}).get("enabled", False)
    else {}
)


rule mediation:
    input:
        script=workflow_script("mediation"),
        code=package_code("mediation", "core", "records"),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        **MODERATED_OUTPUT,
        **INTERACTION_OUTPUT,
        estimate=out("results/estimates/mediation.json"),
        boot=out("results/estimates/mediation_bootstrap.parquet"),
    log:
        out("logs/mediation.log"),
    params:
        config=rule_config("mediation"),
    run:
        run_in_job_server(rule, input, output, params, wildcards, log)


rule compare_truth:
    input:
        script=workflow_script("compare_truth"),
        code=package_code("truth", "describe", "render/markdown", "render/tables"),
        mediation=out("results/estimates/mediation.json"),
        truth="data/raw/clusters_truth.json",
    output:
        csv=out("results/estimates/truth_comparison.csv"),
        md=out("results/estimates/truth_comparison.md"),
    log:
        out("logs/compare_truth.log"),
    params:
        config=rule_config("compare_truth"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)
