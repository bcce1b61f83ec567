# govcluster: government intervention, cluster mechanisms and sustained competitive advantage.
# No logic here: the configuration, the rule files (one per stage) and the final targets.


from govcluster.run_status import handle_failed_run, handle_successful_run


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/firms.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/indices.smk"
include: "workflow/rules/describe.smk"
include: "workflow/rules/panel.smk"
include: "workflow/rules/mediation.smk"
include: "workflow/rules/index_uncertainty.smk"
include: "workflow/rules/casestudy.smk"
include: "workflow/rules/did.smk"
include: "workflow/rules/render.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/study.smk"
include: "workflow/rules/speccurve.smk"


onstart:
    drop_local_job_rate_limit()
    start_job_server_early()


# A failed run sets aside the earlier results it did not remake (govcluster.run_status).
onsuccess:
    handle_successful_run(root=OUTPUT_ROOT)
    print_data_changes()


onerror:
    handle_failed_run(workflow.dag, root=OUTPUT_ROOT)


rule all:
    default_target: True
    input:
        all_targets(),
