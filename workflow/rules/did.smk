# Stage 6: staggered adoption around the designation (difference-in-differences) on every
# configured outcome; the mechanism indices as outcomes give the mechanism event studies. One
# job per outcome: each reads the same data and `did` settings, and the outcomes run side by
# side in the job server. The DiD jobs and their exhibits come first among the jobs that are
# ready (`priority`): they are the longest chain after the analysis panel.


rule did:
    input:
        script=workflow_script("did"),
        code=package_code("did", "inference/randomization"),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        estimate=out("results/estimates/did/{outcome}.json"),
    log:
        out("logs/did/{outcome}.log"),
    priority: rule_priority("did")
    params:
        config=rule_config("did"),
    run:
        run_in_job_server(rule, input, output, params, wildcards, log)
