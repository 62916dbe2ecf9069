"""pyproject.toml, requirements.lock, environment.yml and the workflows agree."""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lock_pins() -> dict[str, list[tuple[str, str | None]]]:
    """name -> [(version, marker or None)] from requirements.lock."""
    pins: dict[str, list] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"lock line not pinned with ==: {line}"
        marker = str(requirement.marker) if requirement.marker else None
        name = requirement.name.lower().replace("_", "-")
        pins.setdefault(name, []).append((spec.version, marker))
    return pins


def declared() -> list[Requirement]:
    """The lessons' dependencies and every extra's, less the extras' references to the
    project itself ("coursekit[course]" in `test`)."""
    wanted = PROJECT["dependencies"] + sum(PROJECT["optional-dependencies"].values(), [])
    requirements = [Requirement(r) for r in wanted]
    return [r for r in requirements if r.name != PROJECT["name"]]


def closure(requirements: list[str]) -> set[str]:
    """Every distribution `requirements` bring in, transitively, as installed here."""
    environment = {"extra": ""}
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen or (requirement.marker and not requirement.marker.evaluate(environment)):
            continue
        seen.add(name)
        todo += [Requirement(r) for r in metadata.requires(name) or []]
    return seen


def test_lock_pins_torch_2_13_0():
    assert lock_pins()["torch"] == [("2.13.0", None)]


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_lock_satisfies_every_declared_range(python):
    pins = lock_pins()
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    for requirement in declared():
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = requirement.name.lower()
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in the lock"
        chosen = [v for v, m in pins[name] if m is None or Marker(m).evaluate(environment)]
        assert len(chosen) == 1, f"{name}: {len(chosen)} pins apply on Python {python}"
        assert requirement.specifier.contains(chosen[0], prereleases=True), (
            f"lock pins {name}=={chosen[0]}, outside pyproject's range {requirement.specifier}"
        )


def test_the_lessons_package_brings_no_course_environment():
    """What Colab installs (coursekit's own dependencies, all the way down) holds no
    JupyterLab, jupytext or test tool: those are the `course` and `test` extras."""
    brought = closure(PROJECT["dependencies"])
    assert {"torch", "numpy", "matplotlib", "ipywidgets", "anywidget"} <= brought
    course_environment = {"jupyterlab", "jupyter-server", "notebook", "jupytext", "nbval",
                          "nbclient", "pytest", "playwright", "ruff", "check-jsonschema"}
    assert not brought & course_environment, sorted(brought & course_environment)
    every_extra = closure(sum(PROJECT["optional-dependencies"].values(), []))
    assert {"jupyterlab", "jupytext", "nbval", "pytest"} <= every_extra


def test_requires_python_matches_the_lock():
    assert PROJECT["requires-python"] == ">=3.10"
    markers = {m for pins in lock_pins().values() for _, m in pins if m}
    assert markers <= {'python_version < "3.11"', 'python_version >= "3.11"'}


def test_environment_yml_installs_the_lock():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert {c.split("=")[0] for c in conda} == {"python", "pip"}, "conda gives Python and pip only"
    python = next(c for c in conda if c.startswith("python="))
    assert python.removeprefix("python=") in {"3.10", "3.11", "3.12", "3.13"}
    assert "-r requirements.lock" in pip and "-e ." in pip


def test_workflows_match_github_schema():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, workflows)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_gpu_job_is_guarded_and_uses_cuda():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
    gpu = jobs["gpu"]
    assert "self-hosted" in gpu["runs-on"] and "gpu" in gpu["runs-on"]
    assert gpu["env"]["COURSEKIT_DEVICE"] == "cuda"
    assert "head.repo.full_name == github.repository" in gpu["if"]
    assert {"lint", "cpu", "gpu", "latest"} <= set(jobs)
    run_steps = " ".join(s.get("run", "") for job in jobs.values() for s in job["steps"])
    assert "python course.py test" in run_steps and "python3 course.py check" in run_steps


def test_readme_names_the_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = re.search(r"python3? course\.py test", ci).group(0)
    assert test_command.replace("python3", "python") in readme
    for command in ("python course.py lab", "python course.py check", "python course.py refresh"):
        assert command in readme


def test_code_is_lint_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
