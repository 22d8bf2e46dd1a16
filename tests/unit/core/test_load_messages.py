"""One clear answer for every loading mistake: all missing values files of a new
environment at once, did-you-mean for a misspelled pin, environments in chain order, and an
unquoted number where a tag belongs."""

from __future__ import annotations

import shutil

import pytest

from gitops_tool.adapters.files import environment_names, load_tree
from gitops_tool.core.argocd.rollout import plan_rollout
from gitops_tool.errors import InputError
from tests.support.trees import EnvSpec, TreeSpec, small_spec, write_tree


def _error(root) -> InputError:
    with pytest.raises(InputError) as error:
        load_tree(root)
    return error.value


def test_a_new_environment_gets_every_missing_values_file_named_at_once(tmp_path):
    spec = small_spec()
    root = write_tree(tmp_path / "repo", TreeSpec(
        spec.charts, (*spec.environments, EnvSpec("qa"))))
    (root / "gitops-tool.yaml").write_text(
        (root / "gitops-tool.yaml").read_text().replace("prod, qa", "qa, prod"))
    for chart, _ in spec.charts:
        (root / "charts" / chart / "values-qa.yaml").unlink()
    error = _error(root)
    assert error.message.splitlines() == [
        "5 values files are missing: every chart needs a values file for every environment:",
        *(f"  charts/{c}/values-qa.yaml" for c in ("postgres", "redis", "tenant-api",
                                                    "portal", "worker")),
    ]
    assert error.hint == "create each of them (each may be empty: {})"


def test_one_missing_values_file_is_named_on_one_line(tmp_path):
    root = write_tree(tmp_path / "repo", small_spec())
    (root / "charts" / "redis" / "values-prod.yaml").unlink()
    error = _error(root)
    assert error.message == (
        "charts/redis/values-prod.yaml: missing: every chart needs a values file for every "
        "environment")
    assert error.hint == "create charts/redis/values-prod.yaml (it may be empty: {})"


def test_a_misspelled_release_pin_gets_a_guess(tmp_path):
    root = write_tree(tmp_path / "repo", small_spec())
    dev = root / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace("  tenant-api:", "  tenant-apii:"))
    error = _error(root)
    assert "releases.tenant-apii: no chart charts/tenant-apii exists" in error.message
    assert error.hint.startswith("did you mean 'tenant-api'? the services are the folders")


def test_a_misspelled_app_gets_a_guess(tmp_path):
    tree = load_tree(write_tree(tmp_path / "repo", small_spec()))
    with pytest.raises(InputError) as error:
        plan_rollout(tree, "dev", ["tenant-ap"])
    assert error.value.hint.startswith("did you mean 'tenant-api'? choose from the services:")


def test_environments_are_listed_in_promotion_chain_order(tmp_path):
    root = write_tree(tmp_path / "repo", small_spec())  # chain: dev, staging, prod
    assert environment_names(root, ("dev", "staging", "prod")) == ["dev", "staging", "prod"]
    shutil.copy(root / "environments" / "dev.yaml", root / "environments" / "adhoc.yaml")
    assert environment_names(root, ("dev", "staging", "prod")) == [
        "dev", "staging", "prod", "adhoc"]
    with pytest.raises(InputError) as error:
        load_tree(root, only=["stage"])
    assert error.value.hint == ("did you mean 'staging'? known environments: dev, staging, "
                                "prod, adhoc (files under environments/)")


@pytest.mark.parametrize(("written", "read"), [("2.10", "float 2.1"), ("3", "int 3"),
                                               ("1.0e+3", "float 1000.0"), ("yes", None)])
def test_an_unquoted_number_where_a_tag_belongs_says_to_quote_it(tmp_path, written, read):
    root = write_tree(tmp_path / "repo", small_spec())
    dev = root / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace('image: "1.0.0"', f"image: {written}", 1))
    error = _error(root)
    if read is None:  # YAML 1.1 reads `yes` as a boolean
        assert error.message.endswith("releases.postgres.image: expected a string, got a "
                                      "boolean (True)")
        assert error.hint.startswith('quote it: `image: "yes"`')
        return
    assert error.message.endswith(f"releases.postgres.image: expected a string, got {read}")
    assert error.hint == (f'quote it: `image: "{written}"` (unquoted, YAML reads {written} '
                          f"as {read})")
