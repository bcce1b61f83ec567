# Stage 6, last: the run's report, results/report.html. The data stage first, then every
# exhibit once (its other formats as downloads), captions in the configured language
# (govcluster.render.report_sections); helpers in render.smk.


rule render_report:
    input:
        **report_data_inputs(),
        script=workflow_script("render_report"),
        code=package_code("render"),
        exhibits=exhibit_files(),
        captions=caption_files(
            [INTRO_CAPTION, *DATA_CAPTIONS.values(), *(e.caption for e in EXHIBITS)],
            CAPTIONS,
        ),
    output:
        report=out("results/report.html"),
    log:
        out("logs/render/report.log"),
    params:
        config=rule_config("render_report"),
        exhibits=report_exhibits(EXHIBITS, out),
        data_inputs=list(report_data_inputs()),
    run:
        run_in_workflow_process(rule, input, output, params, wildcards, log)
