"""Filesystem adapter: reads the repository tree into the core's model.

Reading only; the core decides what the text means. Writing lives in
`gitops_tool.adapters.writer`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from gitops_tool.core import selection
from gitops_tool.core.load.charts import service_from
from gitops_tool.core.load.environments import environment_from
from gitops_tool.core.load.settings import settings_from
from gitops_tool.core.load.tree import tree_from
from gitops_tool.core.model import Environment, Service, Settings, Tree
from gitops_tool.core.names import (
    ENVIRONMENTS_DIR,
    HELM_TEMP_PREFIX,
    SETTINGS_FILE,
    environment_file,
)
from gitops_tool.core.yamldoc import MAX_FILE_BYTES, check_size, check_yaml
from gitops_tool.errors import InputError


def read_text(path: Path, root: Path | None, limit: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 file of at most `limit` bytes (no more is ever read), turning OS errors
    into InputError naming the path (relative to `root`; whole when None). Only a regular
    file is read: a FIFO or a device where a YAML file should be is refused, never waited
    on (O_NONBLOCK makes the open return)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError(
                    f"{display_path(path, root)}: not a regular file",
                    hint="replace it with the YAML file it stands for",
                )
            data = read_bounded(file, limit)
    except FileNotFoundError:
        raise InputError(
            f"{display_path(path, root)}: no such file",
            hint="restore the file (`git status` shows whether it was deleted)",
        ) from None
    except OSError as exc:
        raise InputError(
            f"{display_path(path, root)}: cannot read: {exc.strerror}",
            hint="make it readable (permissions), and run again",
        ) from None
    if len(data) > limit:  # named only when refused: thousands of files are read
        check_size(data, display_path(path, root), limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{display_path(path, root)}: not UTF-8 text ({exc.reason})",
            hint="save the file as UTF-8",
        ) from None


def read_bounded(file: BinaryIO, limit: int) -> bytes:
    """What `file` holds, but never more than `limit` + 1 bytes (so a caller can tell it is
    too large). A regular file within the limit is read whole in one go (asking for
    `limit` + 1 bytes would allocate that much for every small file)."""
    st = os.fstat(file.fileno())
    if stat.S_ISREG(st.st_mode) and st.st_size <= limit:
        data = file.read()
        return data if len(data) <= limit else data[: limit + 1]
    return file.read(limit + 1)


def display_path(path: Path, root: Path | None) -> str:
    if root is None:
        return str(path)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def inside(path: Path, root: Path, shown: str) -> Path:
    """`path` resolved, refusing anything (a symlink, `..`) that leaves `root`."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        _name_the_link(path, root, shown)  # a link on the way: named with its target
        raise InputError(
            f"{shown}: resolves to {resolved}, outside the repository",
            hint="keep charts, environments and output inside the repository",
        )
    return resolved


def _name_the_link(path: Path, root: Path, shown: str) -> None:
    """Refuse, as check_link does, the first symlink on the way from `root` to `path` that
    leads out of the repository (`shown` is `path` as the user knows it)."""
    top = os.path.realpath(root)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return
    shown_parts = Path(shown).parts
    for i in range(1, len(parts) + 1):
        step = root.joinpath(*parts[:i])
        if step.is_symlink():
            below = len(parts) - i  # the components of `path` under this link
            check_link(step, top, "/".join(shown_parts[:len(shown_parts) - below]))


def check_links(folder: Path, root: Path, shown: str, subfolder: bool = False) -> None:
    """Refuse (InputError naming the link and its target) any symlink at any depth under
    `folder` that resolves outside the repository. Links that stay inside are fine; linked
    folders are walked too (once each), as helm would read them. helm's temporary folders
    are not walked, and a folder under `folder` (or `folder` itself, a `subfolder` of a
    chart) that vanishes before it is listed is gone, not an error: helm may be at work."""
    top = os.path.realpath(root)
    seen: set[str] = set()
    stack = [(os.fspath(folder), shown)]
    while stack:
        path, rel = stack.pop()
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        listing = _listing(Path(path), root,
                           vanished_ok=subfolder or path != os.fspath(folder))
        for name, child, is_dir, _, is_symlink in listing:
            if is_symlink:
                check_link(child, top, f"{rel}/{name}")
            if is_dir and not name.startswith(HELM_TEMP_PREFIX):  # helm's own, while it runs
                stack.append((child, f"{rel}/{name}"))


def check_link(path: str | Path, top: str, shown: str) -> None:
    """Refuse the symlink at `path` when it resolves outside `top` (the repository, real)."""
    target = os.path.realpath(path)
    if target != top and not target.startswith(top.rstrip(os.sep) + os.sep):
        try:
            link = os.readlink(path)
        except OSError:
            link = target
        shown_target = link if link == target else f"{link} (resolving to {target})"
        raise InputError(
            f"{shown}: a symlink to {shown_target}, outside the repository; gitops-tool "
            "reads nothing outside the repository",
            hint="replace the link with the file it points to, or point it inside the "
            "repository",
        )


def unreadable(exc: OSError, where: Path | str, root: Path) -> InputError:
    """The InputError for an OS error while reading `where` (or the file the error names)."""
    path = Path(exc.filename) if exc.filename else Path(where)
    shown = display_path(path, root) if path.is_absolute() else path.as_posix()
    return InputError(
        f"{shown}: cannot read: {exc.strerror or exc}",
        hint="make it readable (permissions) or remove it, and run again",
    )


def _listing(
    folder: Path, root: Path, vanished_ok: bool = False
) -> list[tuple[str, str, bool, bool, bool]]:
    """(name, path, is_dir, is_file, is_symlink) of each entry of `folder` (an entry removed
    while it is listed is neither dir, file nor link: os.DirEntry reads it so); OS errors
    become InputError naming the folder, but with `vanished_ok` a folder removed before
    it could be listed has no entries."""
    try:
        with os.scandir(folder) as entries:
            return [
                (e.name, e.path, e.is_dir(), e.is_file(), e.is_symlink()) for e in entries
            ]
    except (FileNotFoundError, NotADirectoryError) as exc:
        if vanished_ok:
            return []
        raise unreadable(exc, folder, root) from None
    except OSError as exc:
        raise unreadable(exc, folder, root) from None


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding gitops-tool.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise InputError(
        f"no {SETTINGS_FILE} found in {start} or any parent folder",
        hint="run gitops-tool inside the GitOps repository, or pass --repo PATH",
    )


def load_settings(root: Path) -> Settings:
    """gitops-tool.yaml, checked; its output folder too, before anything else is read."""
    path = root / SETTINGS_FILE
    if path.is_symlink():
        check_link(path, os.path.realpath(root), SETTINGS_FILE)
    settings = settings_from(read_text(path, root), SETTINGS_FILE)
    check_output_folder(root, settings.output_dir)
    return settings


def check_output_folder(root: Path, output_dir: str) -> None:
    """Refuse an output folder reached through a symlink, with a file on its way, or inside
    another git repository nested in this one: render writes only into a real folder of
    this repository's own work tree."""
    parts = Path(output_dir).parts
    for i in range(1, len(parts) + 1):
        rel = "/".join(parts[:i])
        path = root / rel
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise InputError(
                f"{rel}: a file or link stands where render writes a folder ({SETTINGS_FILE} "
                f"names {output_dir} as the output folder, which must be a real folder)",
                hint=f"remove {rel}, or set `output` in {SETTINGS_FILE} to another folder",
            )
        if not path.exists():
            return
        if i < len(parts) and os.path.lexists(path / ".git"):
            raise InputError(
                f"{rel}/.git: the output folder {output_dir} ({SETTINGS_FILE}) is inside "
                f"another git repository, {rel}; render would write into its work tree",
                hint=f"set `output` in {SETTINGS_FILE} to a folder of this repository outside "
                f"{rel}",
            )


def check_library(root: Path, settings: Settings) -> None:
    """The library chart as helm reads it: no link out of the repository at any depth, and
    its Chart.yaml and values.yaml within the YAML rules (as a service chart's)."""
    rel = f"{settings.charts_dir}/{settings.library}"
    folder = inside(root / rel, root, rel)
    check_links(folder, root, rel)
    for name, mapping in (("Chart.yaml", False), ("values.yaml", True)):
        if (folder / name).is_file():
            check_yaml(read_text(folder / name, root), f"{rel}/{name}", mapping=mapping)


def environment_names(root: Path, chain: Sequence[str] = ()) -> list[str]:
    """The environments (files under environments/), in the order of the promotion
    `chain`; any outside it last, by name."""
    folder = root / ENVIRONMENTS_DIR
    if not folder.is_dir():
        return []
    listing = _listing(inside(folder, root, ENVIRONMENTS_DIR), root)
    for name, *_ in sorted(listing):
        if name.endswith(".yml"):
            raise InputError(
                f"{ENVIRONMENTS_DIR}/{name}: environment files end in .yaml; "
                "this one would be ignored",
                hint=f"use .yaml: rename it to {ENVIRONMENTS_DIR}/{name[:-4]}.yaml",
            )
    names = [name[:-5] for name, *_ in listing if name.endswith(".yaml")]
    return selection.in_chain_order(names, chain)


def load_environment(root: Path, name: str) -> Environment:
    rel = environment_file(name)
    path = inside(root / rel, root, rel)
    return environment_from(name, read_text(path, root), rel)


# What helm leaves in a chart folder (git-ignored): a folder holding nothing else has no
# chart in it -- e.g. after `git rm -r charts/<name>`, which keeps ignored files.
BUILD_OUTPUT = ("Chart.lock", "charts")


def _build_output_only(folder: str) -> bool:
    """Whether a chart folder holds no Chart.yaml and nothing but helm's build output."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries]
    except OSError:
        return False  # unreadable: loading it says so
    return all(n in BUILD_OUTPUT or n.startswith(HELM_TEMP_PREFIX) for n in names)


def chart_file_names(folder: Path) -> frozenset[str]:
    """Every file under a chart folder, as relative POSIX paths, without helm's build output
    (the vendored `charts/`, `tmpcharts-*`). Safe while helm works in the folder: an entry
    that disappears while it is listed is left out, never an error."""
    found: list[str] = []
    for top, dirs, names in os.walk(folder):  # os.walk skips folders that vanish
        rel = os.path.relpath(top, folder)
        if rel == ".":
            dirs[:] = [d for d in dirs if d != "charts" and not d.startswith(HELM_TEMP_PREFIX)]
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found += [prefix + n for n in names if os.path.isfile(os.path.join(top, n))]
    return frozenset(found)


def chart_folders(root: Path, settings: Settings) -> list[Path]:
    """Service chart folders: every folder but the library, except one holding only helm's
    build output (no Chart.yaml, only Chart.lock, charts/, tmpcharts-*)."""
    charts = inside(root / settings.charts_dir, root, settings.charts_dir)
    if not charts.is_dir():
        raise InputError(
            f"{settings.charts_dir}: no such folder",
            hint=f"run gitops-tool in the GitOps repository, or set `charts` in {SETTINGS_FILE}",
        )
    listing = _listing(charts, root)
    library = f"{settings.charts_dir}/{settings.library}"
    if not any(name == settings.library and is_dir for name, _, is_dir, _, _ in listing):
        raise InputError(
            f"{library}: no such folder; {SETTINGS_FILE} names it as the library chart",
            hint=f"restore {library}, or set `library` in {SETTINGS_FILE}",
        )
    if not (charts / settings.library / "Chart.yaml").is_file():
        raise InputError(
            f"{library}/Chart.yaml: missing; {SETTINGS_FILE} names {library} as the "
            "library chart",
            hint=f"restore {library}/Chart.yaml",
        )
    return sorted(
        Path(path)
        for name, path, is_dir, _, _ in listing
        if is_dir and not name.startswith(".") and name != settings.library
        and not (not os.path.isfile(os.path.join(path, "Chart.yaml"))
                 and _build_output_only(path))
    )


def load_service(
    root: Path, folder: Path, settings: Settings, values: bool = True
) -> tuple[Service, list[str]]:
    """One service chart and the names of the files in its folder.

    With `values`, its values files are parsed too, so malformed YAML is caught here with
    its line.
    """
    rel = f"{settings.charts_dir}/{folder.name}"
    if folder.is_symlink():
        inside(folder, root, rel)
    files = []
    top = os.path.realpath(root)
    # Every link at any depth is checked: helm (validate) reads the whole chart folder.
    for name, path, is_dir, is_file, is_symlink in _listing(folder, root):
        if is_symlink:
            check_link(path, top, f"{rel}/{name}")
        if is_file:
            files.append(name)
        elif is_dir and not name.startswith(HELM_TEMP_PREFIX):  # helm's own, while it runs
            check_links(Path(path), root, f"{rel}/{name}", subfolder=True)
    files.sort()
    if "Chart.yaml" not in files:
        raise InputError(
            f"{rel}/Chart.yaml: missing",
            hint=f"every folder under {settings.charts_dir}/ but the library is a chart and "
            f"needs Chart.yaml: restore it, or remove the folder {rel} if the chart is gone",
        )
    service = service_from(
        folder.name, read_text(folder / "Chart.yaml", root), f"{rel}/Chart.yaml", settings
    )
    for name in files if values else ():
        if name.startswith("values") and name.endswith(".yaml"):
            check_yaml(read_text(folder / name, root), f"{rel}/{name}", mapping=True)
    return service, files


def check_environment_names(
    root: Path, wanted: list[str], known: list[str] | None = None
) -> None:
    """Raise InputError for the first name in `wanted` with no environments/<name>.yaml
    (its hint lists the known ones in promotion-chain order)."""
    if known is None:
        known = environment_names(root, load_settings(root).promotion)
    try:
        selection.chosen(wanted, known, "environment")
    except InputError as exc:
        raise InputError(
            exc.message, hint=f"{exc.hint} (files under {ENVIRONMENTS_DIR}/)"
        ) from None


def load_tree(root: Path, only: list[str] | None = None, values: bool = True) -> Tree:
    """Read gitops-tool.yaml, environments/ and the charts into a checked Tree.

    `only` limits the environments (unknown names are an InputError listing the known).
    `values`: check that every values file parses (the commands that render or deploy the
    charts do, and drift, which must refuse what render refuses; status and doctor, which
    never read values, leave them unread).
    """
    settings = load_settings(root)
    known = environment_names(root, settings.promotion)
    wanted = only or known
    check_environment_names(root, wanted, known)
    # Every environment of the chain is loaded so that cross-checks see the whole tree.
    names = sorted(set(wanted) | set(settings.promotion) & set(known))
    environments = [load_environment(root, n) for n in names]
    services, chart_files = [], {}
    folders = chart_folders(root, settings)
    check_library(root, settings)
    for folder in folders:
        service, files = load_service(root, folder, settings, values)
        services.append(service)
        chart_files[service.name] = files
    tree = tree_from(settings, environments, services, chart_files)
    if only:
        keep = tuple(e for e in tree.environments if e.name in set(only))
        tree = type(tree)(settings=tree.settings, services=tree.services, environments=keep)
    return tree
