"""The course.py entry point: usage, refresh never overwrites without asking, lab."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_harness import free_port
from course_copy import copy_course

ROOT = Path(__file__).resolve().parents[1]


def course(*args, stdin="", root=ROOT, **env):
    """`course.py ARGS` in the course folder `root`, on this test environment as it is
    (COURSEKIT_PYTHON): never an install into, or a repair of, the real .venv."""
    return subprocess.run([sys.executable, str(root / "course.py"), *args], cwd=root,
                          env={**os.environ, "COURSEKIT_PYTHON": sys.executable, **env},
                          input=stdin, capture_output=True, text=True, timeout=300)


def test_usage_lists_the_commands():
    result = course()
    assert result.returncode == 0
    for command in ("lab", "update", "reset", "test", "check", "refresh", "bench"):
        assert f"python course.py {command}" in result.stdout


def test_unknown_command_fails():
    assert course("teach").returncode == 2


def test_refresh_asks_and_no_means_nothing_changes(tmp_path):
    copy = copy_course(tmp_path / "course")  # were the "no" ever lost, the real one is safe
    notebook = copy / "notebooks" / "00_setup_check.ipynb"
    before = notebook.stat().st_mtime_ns, notebook.read_bytes()
    for answer in ("n\n", ""):  # a "no", and no one there to answer
        result = course("refresh", "00_setup_check", stdin=answer, root=copy)
        assert result.returncode == 1
        assert "Overwrite the outputs of 1 notebook(s) (00_setup_check)? [y/N]" in result.stdout
        assert "Nothing changed." in result.stdout
    assert (notebook.stat().st_mtime_ns, notebook.read_bytes()) == before


def test_refresh_rejects_unknown_lessons():
    result = course("refresh", "99_nonexistent", "--yes")
    assert result.returncode != 0
    assert "No lesson named ['99_nonexistent']" in result.stderr


def test_lab_opens_my_work_on_localhost_with_a_token_once_per_folder(tmp_path):
    """In a copy of the course (run with this environment): `course.py lab` creates
    my-work/ and serves it; a second `course.py lab` points to the first instead
    of starting; a stale server-info file of a dead server blocks nothing."""
    copy = copy_course(tmp_path / "course")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(runtime), COURSEKIT_PYTHON=sys.executable)
    # A leftover from a server that is gone: its port answers nothing.
    stale = {"pid": os.getpid(), "url": f"http://127.0.0.1:{free_port()}/", "token": "old",
             "root_dir": str(copy / "my-work")}
    (runtime / "jpserver-1.json").write_text(json.dumps(stale))
    port = free_port()
    lab = [sys.executable, str(copy / "course.py"), "lab", "--no-browser",
           "--ServerApp.port_retries=0"]
    log = tmp_path / "lab.log"
    with open(log, "w") as sink:
        server = subprocess.Popen([*lab, f"--ServerApp.port={port}"], cwd=copy, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        token = None
        deadline = time.monotonic() + 120
        while token is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", log.read_text())
            token = match and match.group(1)
        assert token, log.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}") as reply:
            assert "started" in json.load(reply)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status")
            raise AssertionError("the server answered without a token")
        except urllib.error.HTTPError as refused:
            assert refused.code == 403
        # It serves my-work/: every lesson once, as a notebook, no .py beside it.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}") as r:
            names = {item["name"] for item in json.load(r)["content"]}
        lessons = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert names == lessons | {"solutions"}
        assert "[course] created my-work/" in log.read_text()

        second = subprocess.run([*lab, f"--ServerApp.port={free_port()}"], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 0
        assert second.stdout.strip() == (
            "[course] a course server is already running for my-work/: "
            f"open http://127.0.0.1:{port}/lab?token={token}")
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)



@pytest.mark.parametrize("command", [["course.py", "refresh"], ["-m", "course_tools.refresh"]])
def test_refresh_with_stdin_closed_means_no(command, tmp_path):
    copy = copy_course(tmp_path / "course")
    notebook = copy / "notebooks" / "00_setup_check.ipynb"
    before = notebook.read_bytes()
    result = subprocess.run(["sh", "-c", 'exec "$0" "$@" <&-',  # stdin closed, not empty
                             sys.executable, *command, "00_setup_check"],
                            env={**os.environ, "COURSEKIT_PYTHON": sys.executable},
                            cwd=copy, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Nothing changed." in result.stdout
    assert "Traceback" not in result.stderr
    assert notebook.read_bytes() == before


def test_refresh_takes_paths_to_lessons_and_solutions():
    result = course("refresh", "notebooks/04_backprop_by_hand.py",
                    "notebooks/solutions/04_backprop_by_hand_solutions.ipynb", stdin="n\n")
    assert result.returncode == 1, result.stderr
    assert ("Overwrite the outputs of 2 notebook(s) "
            "(04_backprop_by_hand, solutions/04_backprop_by_hand_solutions)?") in result.stdout


def children(pid):
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def descendants(pid):
    found = children(pid)
    return found + [grandchild for child in found for grandchild in descendants(child)]


def is_kernel(pid):
    try:
        return b"ipykernel_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def refresh_until_its_kernel_runs(course):
    """Start `course.py refresh 00_setup_check --yes` in the course folder `course`;
    once its kernel runs (so the notebook is not written yet), return it and every
    process it started."""
    # SIGINT handled as a terminal's Ctrl+C is: a suite started in the background of a
    # script (as CI may start it) inherits SIGINT ignored, and a Python started with
    # SIGINT ignored keeps ignoring it. The wrapper restores it, then becomes course.py.
    restore = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
               "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")
    process = subprocess.Popen([sys.executable, "-c", restore, str(course / "course.py"),
                                "refresh", "00_setup_check", "--yes"], cwd=course, text=True,
                               env=dict(os.environ, COURSEKIT_PYTHON=sys.executable),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        started = descendants(process.pid)
        if any(is_kernel(pid) for pid in started):
            return process, started
        time.sleep(0.02)
    process.kill()
    raise AssertionError(f"no kernel started: {process.communicate()}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGKILL"])
def test_stopping_a_refresh_leaves_the_notebook_whole_and_nothing_running(
        signal_name, tmp_path):
    course = copy_course(tmp_path / "course")  # a refresh that is not stopped in time
    notebook = course / "notebooks" / "00_setup_check.ipynb"  # must not write the real one
    # The lesson ends with a long pause, so the stop lands while it runs even when this
    # test is slow to see the kernel start (a busy machine): a refresh that finished
    # before the stop came would exit 0, and test nothing.
    script = notebook.with_suffix(".py")
    script.write_text(script.read_text(encoding="utf-8")
                      + "\n# %%\nimport time\ntime.sleep(120)\n", encoding="utf-8")
    before = notebook.read_bytes(), notebook.stat().st_mtime_ns
    process, started = refresh_until_its_kernel_runs(course)
    os.kill(process.pid, getattr(signal, signal_name))  # what Ctrl+C or `kill -9` does
    stdout, stderr = process.communicate(timeout=60)
    if signal_name == "SIGINT":
        assert process.returncode == 130, stderr
        assert stdout.strip().splitlines()[-1] == (
            "Interrupted: 0 of 1 notebook(s) refreshed; the others are unchanged.")
        assert "Traceback" not in stderr
    else:
        assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 15  # a kernel polls for its parent about once a second
    while any(map(alive, started)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(alive, started)), "a process of the refresh outlived course.py"
    assert (notebook.read_bytes(), notebook.stat().st_mtime_ns) == before
    assert nbformat.read(notebook, as_version=4).cells


def test_a_wrong_course_python_is_one_line():
    result = course("check", COURSEKIT_PYTHON="/no/such/python")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "COURSEKIT_PYTHON=/no/such/python is not a Python executable: set it to the python "
        "of an environment made from environment.yml, or unset it.")


# --- hostile use (issue 19) --------------------------------------------------------------------


def bare_course(folder):
    """course.py and course_tools/ alone: enough for what runs before an install."""
    import shutil

    folder.mkdir()
    shutil.copy(ROOT / "course.py", folder)
    for name in ("requirements.lock", "pyproject.toml"):
        shutil.copy(ROOT / name, folder)
    shutil.copytree(ROOT / "course_tools", folder / "course_tools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def without_course_python():
    return {k: v for k, v in os.environ.items() if k != "COURSEKIT_PYTHON"}


def test_every_command_has_its_own_help_that_changes_nothing(tmp_path):
    """No .venv here and no COURSEKIT_PYTHON: anything but the help would install."""
    folder = bare_course(tmp_path / "course")
    before = sorted(p.name for p in folder.iterdir())
    commands = ["lab", "update", "reset", "test", "check", "refresh", "bench", "rehome"]
    for command in commands:
        for flag in ("--help", "-h"):
            result = subprocess.run([sys.executable, "course.py", command, flag], cwd=folder,
                                    env=without_course_python(), capture_output=True,
                                    text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            assert result.stdout.startswith(f"python course.py {command}"), result.stdout
            assert result.stderr == ""
    assert sorted(p.name for p in folder.iterdir()) == before  # no .venv/, no my-work/


def old_pythons():
    import glob
    import shutil

    found = glob.glob("/root/.pyenv/versions/3.[78].*/bin/python")
    found += [p for p in map(shutil.which, ("python3.7", "python3.8"))
              if p and "shims" not in p]  # pyenv's shims run only the selected version
    return sorted(set(found))


def test_course_py_is_importable_by_old_pythons_up_to_its_version_check(tmp_path):
    """Ubuntu 20.04's python3 is 3.8, 18.04's 3.7 (with `from __future__` 3.7 is the floor):
    they must get to the "needs Python 3.10" line."""
    import ast

    source = (ROOT / "course.py").read_text()
    tree = ast.parse(source, feature_version=(3, 7))  # no newer syntax anywhere
    newer = {"functools": {"cache", "cached_property"}, "typing": {"Literal", "Protocol",
             "TypedDict", "Final", "Annotated", "TypeAlias", "ParamSpec"},
             "zoneinfo": None, "graphlib": None, "tomllib": None}
    for node in tree.body:  # what runs at import time
        if isinstance(node, ast.ImportFrom) and node.module in newer:
            names = {alias.name for alias in node.names}
            assert newer[node.module] is not None and not names & newer[node.module], node.module
        if isinstance(node, ast.Import):
            assert not {alias.name for alias in node.names} & set(newer)
    folder = bare_course(tmp_path / "course")
    for python in old_pythons():
        result = subprocess.run([python, "course.py", "lab"], cwd=folder, capture_output=True,
                                text=True, timeout=60, env=without_course_python())
        assert result.returncode == 1
        assert re.fullmatch(r"The course needs Python 3\.10 or newer; this is 3\.[78]\.\d+\.",
                            result.stderr.strip()), result.stderr


def test_a_course_python_without_the_course_names_what_it_lacks(tmp_path):
    folder = bare_course(tmp_path / "course")
    python = next(p for p in (Path(sys.base_prefix) / "bin" / "python3",
                              Path(sys.base_prefix) / "python.exe") if p.exists())
    result = subprocess.run([sys.executable, "course.py", "lab"], cwd=folder,
                            env={**os.environ, "COURSEKIT_PYTHON": str(python)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f"COURSEKIT_PYTHON={python} is not a course environment: it lacks coursekit"), \
        result.stderr
    assert result.stderr.strip().endswith(
        "Set it to the python of an environment made from environment.yml, or unset it to "
        "use the course's own .venv.")
    assert not (folder / "my-work").exists()


INTERRUPT = """
import builtins, runpy, sys, venv
where = sys.argv.pop(1)
real_import = builtins.__import__
def importing(name, *args, **kwargs):
    if where == "import" and name.startswith("course_tools"):
        raise KeyboardInterrupt  # Ctrl+C while the command's tools load
    return real_import(name, *args, **kwargs)
def creating(*args, **kwargs):
    raise KeyboardInterrupt  # Ctrl+C while the first install makes .venv/
builtins.__import__ = importing
venv.EnvBuilder.create = creating
sys.argv = ["course.py", *sys.argv[1:]]
runpy.run_path("course.py", run_name="__main__")
"""


@pytest.mark.parametrize(("where", "command"), [("import", "update"), ("install", "lab")])
def test_ctrl_c_at_start_up_or_during_the_first_install_is_one_line(tmp_path, where, command):
    folder = bare_course(tmp_path / "course")
    result = subprocess.run([sys.executable, "-c", INTERRUPT, where, command], cwd=folder,
                            env=without_course_python(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip() == (
        f"[course] interrupted: run `python course.py {command}` again to finish (an "
        "interrupted install is redone)")


def load_course_py(folder):
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_under_test", folder / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_start_up_check_notices_a_file_deleted_deep_in_a_package(tmp_path):
    """Every folder of every installed package is checked (a deleted file changes its
    folder's time), not only the top-level ones: a lost nbformat/v4/nbjson.py is found."""
    folder = bare_course(tmp_path / "course")
    site = folder / ".venv" / "lib" / "python3.11" / "site-packages"
    files = ["pkg/__init__.py", "pkg/v4/__init__.py", "pkg/v4/nbjson.py", "top.py"]
    for name in files:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("")
    info = site / "pkg-1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("".join(f"{name},,\n" for name in files))
    editable = site / "coursekit-0.1.dist-info"
    editable.mkdir()
    (editable / "direct_url.json").write_text(json.dumps({"url": folder.as_uri()}))
    (editable / "RECORD").write_text("")
    course_py = load_course_py(folder)
    wanted = course_py._install_fingerprint()
    course_py._write_stamp(wanted)
    assert course_py._quick_problems(wanted) == []
    (site / "pkg" / "v4" / "nbjson.py").unlink()
    assert course_py._quick_problems(wanted) == [course_py.FOLDERS_CHANGED]
    assert course_py._damaged_packages() == [("pkg", "1.0")]
