# govcluster: government intervention, cluster mechanisms and sustained competitive advantage.
# No logic here: the configuration, the rule files (one per stage) and the final targets.


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/indices.smk"
include: "workflow/rules/describe.smk"
include: "workflow/rules/panel.smk"
include: "workflow/rules/mediation.smk"
include: "workflow/rules/did.smk"
include: "workflow/rules/render.smk"
include: "workflow/rules/provenance.smk"


rule all:
    default_target: True
    input:
        all_targets(),
