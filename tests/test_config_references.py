"""Names the configuration refers to: carried without `passthrough`, checked at load time."""

from __future__ import annotations

import copy
import io as text_io
from contextlib import redirect_stderr

import pytest

from govcluster.config import (
    binary_outcome_warnings,
    build_config,
    build_workflow_config,
    carried_variables,
    collect_references,
    validate_config_dict,
)
from govcluster.errors import ConfigError

#: A user's firm panel (Wooldridge's jtrain) declared once: no constructs, no passthrough.
USER_CONFIG = {
    "simulate": {"enabled": False},
    "data": {"path": "data/raw/jtrain.csv", "entity": "fcode", "time": "year"},
    "variables": {
        "lscrap": {"kind": "real"},
        "grant": {"kind": "binary"},
        "grant_1": {"kind": "binary"},
        "hrsemp": {"kind": "amount"},
        "employ": {"kind": "count"},
        "sales": {"kind": "money"},
    },
    "controls": {"ln_employ": {"variable": "employ", "transform": "log"}},
    "models": {
        "baseline": {
            "fe": {
                "estimator": "twoway_fe",
                "outcome": "lscrap",
                "regressors": ["grant", "grant_1"],
            }
        },
        "iv": {
            "fd": {
                "estimator": "first_difference",
                "outcome": "lscrap",
                "endogenous": ["hrsemp"],
                "instruments": ["grant"],
            }
        },
    },
}


pytestmark = pytest.mark.usefixtures("no_config_file_in_use")


def _config(**changes) -> dict:
    config = copy.deepcopy(USER_CONFIG)
    config.update(changes)
    return config


def test_variables_a_model_names_are_carried_without_passthrough():
    project = build_config(_config())
    assert project.passthrough == ("lscrap", "grant", "grant_1", "hrsemp")
    assert "sales" not in project.passthrough  # declared, named by nothing
    assert project.roles.treatment is None and project.roles.outcome is None


def test_every_reference_has_its_key_path():
    paths = {r.path: r.name for r in collect_references(validate_config_dict(_config()))}
    assert paths["models.baseline.fe.regressors[1]"] == "grant_1"
    assert paths["models.iv.fd.endogenous[0]"] == "hrsemp"
    assert paths["models.iv.fd.instruments[0]"] == "grant"


def test_an_old_configuration_with_passthrough_still_runs_and_is_told_to_drop_it():
    config = _config(passthrough=["sales"])
    project = build_config(config)
    assert project.passthrough == ("sales", "lscrap", "grant", "grant_1", "hrsemp")
    # the notice is printed by the workflow's loader (before it finds no data file here)
    stderr = text_io.StringIO()
    with redirect_stderr(stderr), pytest.raises(SystemExit):
        build_workflow_config(config, config_files=["config/cases/mine.yaml"])
    notice = stderr.getvalue()
    assert "`passthrough` in config/cases/mine.yaml is deprecated" in notice
    assert carried_variables(validate_config_dict(copy.deepcopy(config)))[0] == "sales"


@pytest.mark.parametrize(
    ("changes", "path", "nearest"),
    [
        (
            {
                "models": {
                    "baseline": {"fe": {"outcome": "lscrap", "regressors": ["grant", "grnt_1"]}}
                }
            },
            "models.baseline.fe.regressors[1] names 'grnt_1'",
            "did you mean 'grant_1'?",
        ),
        (
            {"models": {"controls": ["ln_employment"]}},
            "models.controls[0] names 'ln_employment'",
            "did you mean 'ln_employ'?",
        ),
        (
            {"roles": {"treatment": "grant", "outcome": "lscrp", "mediators": ["hrsemp"]}},
            "roles.outcome names 'lscrp'",
            "did you mean 'lscrap'?",
        ),
        (
            {"did": {"enabled": True, "outcomes": ["lscrap", "scrap"], "treatment": "grant"}},
            "did.outcomes[1] names 'scrap'",
            "did you mean 'lscrap'?",
        ),
        (
            {
                "models": {
                    "heterogeneity": {
                        "h": {"outcome": "lscrap", "regressors": ["grant"], "by": "regon"}
                    }
                }
            },
            "models.heterogeneity.h.by names 'regon'",
            "did you mean 'region'?",
        ),
    ],
)
def test_an_undefined_name_stops_the_run_at_load_with_its_key_path_and_the_file_in_use(
    changes, path, nearest
):
    config = _config(**changes)
    stderr = text_io.StringIO()
    with redirect_stderr(stderr), pytest.raises(SystemExit) as exited:
        build_workflow_config(config, config_files=["config/cases/mine.yaml"])
    assert exited.value.code == 1
    message = stderr.getvalue()
    assert path in message and nearest in message, message
    assert "config/cases/mine.yaml" in message
    assert "config/config.yaml" not in message
    assert "Traceback" not in message


def test_a_configuration_without_constructs_hears_nothing_about_gov():
    # a model that relies on roles the configuration does not set
    config = _config(models={"baseline": {"fe": {"estimator": "twoway_fe"}}})
    with pytest.raises(ConfigError) as caught:
        build_config(config)
    message = str(caught.value)
    assert "models.baseline.fe sets no outcome and roles.outcome is not set" in message
    assert "models.baseline.fe sets no regressors and roles.treatment is not set" in message
    for leaked in ("GOV", "SCA", "OPEN", "SOCAP"):
        assert leaked not in message
    project = build_config(_config())
    assert not {"GOV", "SCA"} & {r.name for r in collect_references(project.raw)}


def test_a_binary_outcome_of_a_linear_model_is_warned_about_at_load():
    config = _config(
        models={"baseline": {"lpm": {"outcome": "grant", "regressors": ["hrsemp"]}}},
        roles={"treatment": "hrsemp", "outcome": "lscrap", "mediators": ["grant_1"]},
    )
    lines = binary_outcome_warnings(build_config(config))
    assert any(line.startswith("models.baseline.lpm.outcome names 'grant'") for line in lines)
    assert any(line.startswith("roles.mediators[0] names 'grant_1'") for line in lines)
    assert not binary_outcome_warnings(build_config(_config()))
