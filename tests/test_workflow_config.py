"""Each rule's configuration slice, and the configuration its script builds from it."""

import copy
import json

import pytest

from govcluster.config import build_config
from govcluster.workflow_config import (
    RULE_CONFIG_KEYS,
    ConfigKeyNotInSlice,
    project_from_slice,
    rule_config_keys,
    rule_config_slice,
    slice_values,
)


@pytest.fixture(scope="module")
def full_config(default_config_dict):
    """Return the shipped configuration, validated, with every default filled in."""
    return build_config(copy.deepcopy(default_config_dict)).raw


def test_a_slice_holds_exactly_the_declared_keys(full_config):
    values = slice_values(rule_config_slice(full_config, "validate"))
    assert set(values) == {
        "output_root", "data", "variables", "constructs", "controls", "passthrough", "clean",
    }  # fmt: skip
    assert values["clean"] == {
        "drop_exact_duplicates": full_config["clean"]["drop_exact_duplicates"],
        "deflate": full_config["clean"]["deflate"],
        "scale_typos": full_config["clean"]["scale_typos"],
    }
    assert values["variables"] == full_config["variables"]


def test_a_slice_is_json_and_a_copy(full_config):
    made = rule_config_slice(full_config, "mediation")
    assert json.loads(json.dumps(made)) == made
    made["values"]["mediation"]["n_boot"] = -1
    assert full_config["mediation"]["n_boot"] != -1
    assert made["kind"] == "config_slice" and made["schema_version"] == 1


def test_every_rendering_rule_shares_one_entry_and_unknown_rules_are_refused():
    assert rule_config_keys("render_panel_baseline") == rule_config_keys("render_x")
    with pytest.raises(KeyError, match="RULE_CONFIG_KEYS"):
        rule_config_keys("no_such_rule")


def test_provenance_reads_the_whole_configuration(full_config):
    assert slice_values(rule_config_slice(full_config, "provenance")) == dict(full_config)


def test_the_slice_builds_the_same_objects_the_full_configuration_does(full_config):
    full = build_config(full_config)
    ingest = project_from_slice(rule_config_slice(full_config, "ingest"))
    assert ingest.data == full.data and dict(ingest.variables) == dict(full.variables)
    clean = project_from_slice(rule_config_slice(full_config, "clean"))
    assert clean.clean == full.clean and dict(clean.constructs) == dict(full.constructs)
    mediation = project_from_slice(rule_config_slice(full_config, "mediation"))
    assert mediation.roles == full.roles and mediation.seed == full.seed
    assert mediation.models.get("controls") == full.models["controls"]


@pytest.mark.parametrize(
    ("rule", "use", "key"),
    [
        ("ingest", lambda p: p.clean.winsorize, "clean"),
        ("ingest", lambda p: p.roles.treatment, "roles"),
        ("validate", lambda p: p.clean.winsorize.enabled, "clean.winsorize"),
        ("validate", lambda p: p.indices.method, "indices"),
        ("indices", lambda p: p.data.entity.upper(), "data.entity"),
        ("mediation", lambda p: p.models.get("baseline", {}), "models.baseline"),
        ("mediation", lambda p: list(p.models), "models.<every key>"),
        ("metrics", lambda p: list(p.roles.mediators), "roles.mediators"),
        ("describe", lambda p: p.label("gov_subsidy"), "variables"),
        ("render_panel", lambda p: p.raw.get("seed"), "seed"),
        ("render_panel", lambda p: dict(p.raw), "<every key>"),
    ],
)
def test_reading_outside_the_slice_fails_loudly(full_config, rule, use, key):
    """A key the rule does not declare raises, naming the rule and the key (never a default)."""
    project = project_from_slice(rule_config_slice(full_config, rule))
    with pytest.raises(ConfigKeyNotInSlice) as caught:
        use(project)
    assert caught.value.rule == rule and caught.value.key.startswith(key)
    assert "RULE_CONFIG_KEYS" in str(caught.value)


def test_declared_entries_name_known_sections(full_config):
    sections = set(full_config) | {"case"}
    for rule, keys in RULE_CONFIG_KEYS.items():
        for key in keys:
            assert key == "*" or key.partition(".")[0] in sections, (rule, key)


def test_a_record_of_another_kind_or_version_is_refused(full_config):
    made = rule_config_slice(full_config, "ingest")
    with pytest.raises(ValueError, match="kind"):
        slice_values({**made, "kind": "panel_estimate"})
    with pytest.raises(ValueError, match="schema_version"):
        slice_values({**made, "schema_version": 99})
