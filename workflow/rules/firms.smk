# Optional: the simulated firm-level panel (config section firm_panel; config/cases/firms.yaml).
# Firms drawn from a cluster panel simulated in memory with the `simulate` settings, each with
# its cluster's treatment GOV and an outcome of known effect (govcluster.firm_outcomes); ingest
# reads it when data.path is firm_panel.output, and the panel models estimate it with
# estimator: hdfe. The cluster panel is not written, so the case never touches
# data/raw/clusters.csv of the default run.

FIRM_PANEL = config.get("firm_panel", {})

if FIRM_PANEL.get("enabled"):

    rule firm_panel:
        input:
            code=package_code("simulate", "simulate_firms", "firm_outcomes", "regions"),
        output:
            panel=FIRM_PANEL["output"],
            truth=FIRM_PANEL["truth"],
        log:
            out("logs/firm_panel.log"),
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            config=rule_config("firm_panel"),
        script:
            "../scripts/firm_panel.py"
