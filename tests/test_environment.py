"""course.py notices a damaged or foreign environment cheaply and repairs it;
an empty thread count is treated as unset everywhere lessons run."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_course():
    spec = importlib.util.spec_from_file_location("course_under_test", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def install(site, name, version, files):
    """A distribution as pip leaves it: its files and a dist-info with their RECORD."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    for relative in files:
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text("x")
    rows = [*files, f"{info.name}/RECORD", f"../../../bin/{name}"]
    (info / "RECORD").write_text("".join(f"{row},,\n" for row in rows))
    return info


@pytest.fixture
def course(tmp_path, monkeypatch):
    """course.py pointed at a course folder with a fake, healthy .venv; pip is faked:
    `course.pip` lists its commands, and a forced reinstall restores the files."""
    module = load_course()
    root = tmp_path / "course"
    root.mkdir()
    for name in ("requirements.lock", "pyproject.toml"):
        (root / name).write_bytes((ROOT / name).read_bytes())
    venv = root / ".venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    install(site, "torch", "2.13.0", ["torch/__init__.py", "torch/nn/__init__.py"])
    editable = install(site, "coursekit", "0.1.0", ["__editable__.coursekit-0.1.0.pth"])
    (editable / "direct_url.json").write_text(json.dumps(
        {"url": root.as_uri(), "dir_info": {"editable": True}}))
    for name, value in {"ROOT": root, "VENV": venv, "LOCK": root / "requirements.lock",
                        "STAMP": venv / "coursekit-installed.sha256",
                        "BIN": venv / "bin", "PYTHON": venv / "bin" / "python"}.items():
        monkeypatch.setattr(module, name, value)
    module._site_packages.cache_clear()
    module.pip = []

    def fake_run(*args, **kwargs):
        args = [str(a) for a in args]
        module.pip.append(args[3:])
        if "--force-reinstall" in args and args[-1] == "torch==2.13.0":
            install(site, "torch", "2.13.0", ["torch/__init__.py", "torch/nn/__init__.py"])
        return 0

    monkeypatch.setattr(module, "run", fake_run)
    monkeypatch.setattr(module, "pip_install", lambda command: fake_run(*command))
    monkeypatch.setenv("COURSEKIT_TORCH", "default")  # no probe of PyTorch's index here
    module.site = site
    module.ensure_environment()  # first run: installs, checks, writes the stamp
    module.pip.clear()
    return module


def commands(course):
    return [" ".join(c for c in command if c not in ("--disable-pip-version-check", "-q"))
            for command in course.pip]


def test_a_healthy_environment_starts_without_pip(course):
    course.ensure_environment()
    assert course.pip == []


def test_a_deleted_package_folder_is_noticed_and_reinstalled(course, capsys):
    for path in sorted((course.site / "torch").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (course.site / "torch").rmdir()
    course.ensure_environment()
    done = commands(course)
    assert done[-1] == "install --force-reinstall --no-deps torch==2.13.0"
    assert "repairing torch 2.13.0: some of its files are missing" in capsys.readouterr().out
    course.pip.clear()
    course.ensure_environment()  # repaired: the next start is quiet again
    assert course.pip == []


def test_a_lost_file_inside_a_package_is_repaired_once_the_stamp_is_gone(course):
    (course.site / "torch" / "nn" / "__init__.py").unlink()
    course.STAMP.unlink()
    course.ensure_environment()
    done = commands(course)
    assert done[0].startswith("install -r ") and done[1] == f"install --no-deps -e {course.ROOT}"
    assert done[-1] == "install --force-reinstall --no-deps torch==2.13.0"
    assert (course.site / "torch" / "nn" / "__init__.py").exists()


def test_a_copied_course_folder_reinstalls_its_own_coursekit(course, tmp_path, monkeypatch):
    stamp = course.STAMP.read_text()
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("requirements.lock", "pyproject.toml"):
        (copy / name).write_bytes((course.ROOT / name).read_bytes())
    monkeypatch.setattr(course, "ROOT", copy)  # same .venv, stamp and all, in another folder
    monkeypatch.setattr(course, "LOCK", copy / "requirements.lock")
    course.ensure_environment()
    assert f"install --no-deps -e {copy}" in commands(course)
    assert course.STAMP.read_text() != stamp


def test_coursekit_installed_from_another_folder_is_noticed(course, tmp_path):
    direct_url = course.site / "coursekit-0.1.0.dist-info" / "direct_url.json"
    direct_url.write_text(json.dumps({"url": (tmp_path / "elsewhere").as_uri()}))
    assert course._quick_problems(course._install_fingerprint()) == [
        "coursekit is not installed from this folder"]
    course.ensure_environment()
    assert f"install --no-deps -e {course.ROOT}" in commands(course)


def test_a_repair_that_fails_says_what_to_do_in_one_line(course, monkeypatch):
    (course.site / "torch" / "__init__.py").unlink()
    course.STAMP.unlink()
    monkeypatch.setattr(course, "run", lambda *args, **kwargs: 1 if "--force-reinstall" in
                        [str(a) for a in args] else 0)
    with pytest.raises(SystemExit) as stopped:
        course.ensure_environment()
    message = str(stopped.value)
    assert "\n" not in message
    assert message.startswith("Repairing torch failed: delete the .venv folder")


def test_an_empty_thread_count_counts_as_unset(monkeypatch):
    course = load_course()
    monkeypatch.setenv("OMP_NUM_THREADS", " ")
    monkeypatch.setenv("MKL_NUM_THREADS", "2")
    course.drop_empty_thread_settings()
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "2"


def test_lessons_run_without_libgomp_complaints_when_the_thread_count_is_empty():
    code = "import coursekit, torch; print(float((torch.ones(64, 64) @ torch.ones(64)).sum()))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, OMP_NUM_THREADS=""), timeout=300)
    assert result.returncode == 0 and result.stdout == "4096.0\n"
    assert result.stderr == ""  # libgomp's "Invalid value for environment variable"


def test_scripts_of_a_copied_venv_are_pointed_at_this_folders_python(course, tmp_path):
    original = tmp_path / "original"
    jupyter = course.VENV / "bin" / "jupyter"
    jupyter.write_text(f"#!{original}/.venv/bin/python\nimport sys\nfrom jupyter import main\n")
    jupyter.chmod(0o755)
    ours = course.VENV / "bin" / "pytest"
    ours.write_text(f"#!{course.VENV}/bin/python3.11\nimport pytest\n")
    course.STAMP.write_text(course.STAMP.read_text().replace("0", "1", 1))  # as from the original
    course.ensure_environment()
    assert jupyter.read_text() == (f"#!{course.VENV}/bin/python\nimport sys\n"
                                   "from jupyter import main\n")
    assert jupyter.stat().st_mode & 0o777 == 0o755
    assert ours.read_text() == f"#!{course.VENV}/bin/python3.11\nimport pytest\n"
