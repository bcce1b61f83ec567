# Stage 6: staggered adoption around the designation (difference-in-differences) on every
# configured outcome; the mechanism indices as outcomes give the mechanism event studies. One
# job for all outcomes: they read the same data and the same `did` settings, so a change reruns
# every outcome anyway, and one process imports the estimators once.


rule did:
    input:
        script=workflow_script("did"),
        code=package_code("did", "inference/randomization"),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        estimates=[
            out(f"results/estimates/did/{outcome}.json") for outcome in DID_OUTCOMES
        ],
    log:
        out("logs/did.log"),
    params:
        config=rule_config("did"),
        outcomes=DID_OUTCOMES,
    run:
        run_in_job_server(rule, input, output, params, wildcards, log)
