# Case study of one cluster: synthetic control with in-space placebos and synthetic
# difference-in-differences (govcluster.casestudy), when case_study.enabled.


rule case_study:
    input:
        script=workflow_script("casestudy"),
        code=package_code("casestudy"),
        analysis=out("data/processed/analysis_panel.parquet"),
    output:
        estimate=out("results/estimates/casestudy/case_study.json"),
    log:
        out("logs/case_study.log"),
    priority: rule_priority("case_study")
    params:
        config=rule_config("case_study"),
    run:
        run_in_job_server(rule, input, output, params, wildcards, log)


rule case_study_truth:
    input:
        script=workflow_script("casestudy_truth"),
        code=package_code("casestudy"),
        estimate=out("results/estimates/casestudy/case_study.json"),
        analysis=out("data/processed/analysis_panel.parquet"),
        truth="data/raw/clusters_truth.json",
    output:
        csv=out("results/estimates/casestudy/truth_comparison.csv"),
    log:
        out("logs/case_study_truth.log"),
    priority: rule_priority("case_study_truth")
    params:
        config=rule_config("case_study_truth"),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)
