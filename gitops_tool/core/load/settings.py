"""gitops-tool.yaml: the planes, the promotion chain and the folders, checked.

Pure: takes the file's text and the name to report it under.
"""

from __future__ import annotations

import posixpath
from itertools import pairwise

from gitops_tool.core import names
from gitops_tool.core.load.credentials import refuse_credentials, refuse_url_credentials
from gitops_tool.core.load.schema import Field, check, mapping_of
from gitops_tool.core.model import Plane, Settings
from gitops_tool.core.yamldoc import line_of
from gitops_tool.errors import InputError

SETTINGS_SCHEMA = Field(
    keys={
        "planes": Field(
            items=Field(keys={"name": Field(str), "wave": Field(int)}),
            doc="the planes in rollout order, each with its Argo CD sync wave",
        ),
        "promotion": Field(items=Field(str), doc="the promotion chain, first to last"),
        "charts": Field(str, required=False, doc="folder of the service charts"),
        "library": Field(str, required=False, doc="the library chart every chart depends on"),
        "output": Field(str, required=False, doc="folder render writes"),
    }
)


def relative_path_problem(path: str) -> str | None:
    """Why a repository-relative path is unsafe (absolute, or leaving the repository)."""
    if not path or path.startswith("/") or "\\" in path:
        return "must be a relative path inside the repository"
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return "leaves the repository"
    return None


def output_problem(output: str, charts: str) -> str | None:
    """Why `output` cannot be render's folder: it must be a folder of its own inside the
    repository, holding no input (gitops-tool.yaml, the charts, environments/) and no
    `.git`, and inside none of them. Compared without case, as some filesystems do."""
    normal = posixpath.normpath(output).casefold()
    if normal == ".":
        return "is the repository itself; render needs a folder of its own, such as argocd"
    if ".git" in normal.split("/"):
        return "is inside .git"
    inputs = (
        (posixpath.normpath(charts).casefold(), "the charts folder"),
        (names.ENVIRONMENTS_DIR, "the environments folder"),
        (names.SETTINGS_FILE, "this file"),
    )
    for path, what in inputs:
        if normal == path:
            return f"is {what}, an input"
        if normal.startswith(f"{path}/"):
            return f"is inside {what} ({path}/), an input"
        if path.startswith(f"{normal}/"):
            return f"holds {what} ({path}), an input"
    return None


def settings_from(text: str, source: str = names.SETTINGS_FILE) -> Settings:
    """Parse and check gitops-tool.yaml."""
    data = mapping_of(text, source)
    refuse_url_credentials(data, source)  # first: later messages may quote a value
    refuse_credentials(data, source)  # names and paths only: render would print them
    check(data, SETTINGS_SCHEMA, source, lines=text.splitlines())
    planes = tuple(Plane(p["name"], p["wave"]) for p in data["planes"])
    if not planes:
        raise InputError(f"{source}: planes: declare at least one plane",
                         hint="list the planes in rollout order, each with `name` and `wave`")
    for earlier, later in pairwise(planes):
        if later.wave <= earlier.wave:
            raise InputError(
                f"{source}:{line_of(data, 'planes')}: planes: wave of {later.name!r} "
                f"({later.wave}) must be greater than that of {earlier.name!r} ({earlier.wave})",
                hint="list planes in rollout order with increasing waves",
            )
    for key, seq in (("planes", [p.name for p in planes]), ("promotion", data["promotion"])):
        for name in seq:
            if problem := names.label_problem(name):
                raise InputError(
                    f"{source}:{line_of(data, key)}: {key}: {name!r} {problem}",
                    hint="use lowercase letters, digits and '-' (names become label values)",
                )
        if len(set(seq)) != len(seq):
            raise InputError(f"{source}:{line_of(data, key)}: {key}: names must be unique",
                             hint=f"list each name once under `{key}`")
    charts, output = data.get("charts", "charts"), data.get("output", "argocd")
    for key, path in (("charts", charts), ("output", output)):
        if problem := relative_path_problem(path):
            raise InputError(f"{source}:{line_of(data, key)}: {key}: {path!r} {problem}",
                             hint="give a folder relative to the repository, such as "
                             f"{'charts' if key == 'charts' else 'argocd'}")
    if problem := output_problem(output, charts):
        raise InputError(
            f"{source}:{line_of(data, 'output')}: output: {output!r} {problem}; "
            "render removes the files it wrote there before",
            hint="give render a folder of its own inside the repository (the default is "
            "argocd)",
        )
    return Settings(
        planes=planes,
        promotion=tuple(data["promotion"]),
        # normalised (`argocd/`, `./argocd` are argocd): they are joined into the paths
        # render writes in the Applications
        charts_dir=posixpath.normpath(charts),
        library=data.get("library", "common"),
        output_dir=posixpath.normpath(output),
    )
