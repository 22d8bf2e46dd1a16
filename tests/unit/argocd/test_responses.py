"""core/argocd/responses.py: the answers a real Argo CD sends pass; wrong shapes are named."""

from __future__ import annotations

import pytest

from gitops_tool.core.argocd import responses
from gitops_tool.core.argocd.responses import shape_problem
from tests.support.argocd.fake import FakeArgo


@pytest.fixture(scope="module")
def answers():
    """What the fake (checked against swagger.json) answers, without a server."""
    fake = FakeArgo()
    fake.add_app("dev-api", "ananta-dev", labels={"gitops-tool/environment": "dev"})
    fake.start_operation("dev-api", username="alice")
    app = fake._json(fake.apps["dev-api"])
    return {
        "version": (fake.version, responses.VERSION),
        "settings": (fake.settings, responses.SETTINGS),
        "userinfo": ({"loggedIn": True, "username": "gitops-tool", "iss": "argocd"},
                     responses.USER_INFO),
        "project": (fake.projects["ananta-dev"], responses.PROJECT),
        "app": (app, responses.APPLICATION),
        "list": ({"items": [app], "metadata": {"resourceVersion": "1"}},
                 responses.APPLICATION_LIST),
        "empty list": ({"metadata": {}, "items": None}, responses.APPLICATION_LIST),
        "windows": ({"assignedWindows": [], "activeWindows": [], "canSync": True},
                    responses.SYNC_WINDOWS),
    }


def test_what_argo_cd_answers_has_the_shape(answers):
    for name, (data, shape) in answers.items():
        assert shape_problem(data, shape) is None, name


@pytest.mark.parametrize(
    ("data", "shape", "problem"),
    [
        ({"items": "notalist"}, responses.APPLICATION_LIST,
         "items: expected a list, got a string"),
        (None, responses.APPLICATION_LIST, "the answer: expected an object, got null"),
        ([], responses.APPLICATION_LIST, "the answer: expected an object, got a list"),
        ("ok", responses.VERSION, "the answer: expected an object, got a string"),
        ({"items": [{"metadata": "x"}]}, responses.APPLICATION_LIST,
         "items[0].metadata: expected an object, got a string"),
        ({"items": [{"spec": {}}]}, responses.APPLICATION_LIST, "items[0].metadata: missing"),
        ({"items": [{"metadata": {"name": 7}}]}, responses.APPLICATION_LIST,
         "items[0].metadata.name: expected a string, got a number"),
        ({"metadata": {"name": "a", "labels": ["x"]}}, responses.APPLICATION,
         "metadata.labels: expected an object, got a list"),
        ({"metadata": {"name": "a"}, "status": {"health": "Healthy"}}, responses.APPLICATION,
         "status.health: expected an object, got a string"),
        ({"metadata": {"name": "a"}, "status": {"resources": {}}}, responses.APPLICATION,
         "status.resources: expected a list, got an object"),
        ({"metadata": {"name": "a"}, "status": {"operationState": {"operation": {"info": 1}}}},
         responses.APPLICATION,
         "status.operationState.operation.info: expected a list, got a number"),
        ({"loggedIn": "yes"}, responses.USER_INFO,
         "loggedIn: expected true or false, got a string"),
        ({"resourceOverrides": {"argoproj.io/Application": {"healthLua": []}}},
         responses.SETTINGS,
         "resourceOverrides.argoproj.io/Application.healthLua: expected a string, got a list"),
        ({"canSync": "false"}, responses.SYNC_WINDOWS,
         "canSync: expected true or false, got a string"),
        ({"metadata": []}, responses.PROJECT, "metadata: expected an object, got a list"),
        ({}, responses.PROJECT, "metadata: missing"),
        ({"metadata": {"labels": {}}}, responses.PROJECT, "metadata.name: missing"),
    ],
)
def test_a_wrong_shape_is_named_by_its_path(data, shape, problem):
    assert shape_problem(data, shape) == problem


def test_fields_not_read_are_not_checked():
    app = {"metadata": {"name": "a", "uid": 12}, "spec": {"destination": "anything"},
           "extra": [1, {"x": None}]}
    assert shape_problem(app, responses.APPLICATION) is None
