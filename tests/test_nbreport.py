"""The instructors' summary names the lesson and cell that differ, with both texts."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_changed_number_is_reported_with_expected_and_actual(tmp_path):
    lesson = tmp_path / "00_setup_check.ipynb"
    shutil.copy(ROOT / "notebooks" / "00_setup_check.ipynb", lesson)
    text = lesson.read_text(encoding="utf-8")
    assert text.count("= 30\\n") == 1
    lesson.write_text(text.replace("= 30\\n", "= 31\\n"), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         "-p", "course_tools.nbreport", "-p", "no:cacheprovider", "-o", "addopts=", "-q"],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=600,
    )
    out = result.stdout
    assert result.returncode == 1, out
    summary = out[out.index("course check: per lesson"):]
    assert "FAILED (1 cell(s))" in summary and "00_setup_check.ipynb" in summary
    assert "--- Cell 4 ---" in summary
    line = "\n    [stdout] 2 × (0 + 1 + … + 5) = "
    expected = summary.index(f"expected (stored in the notebook):{line}31")
    actual = summary.index(f"actual (this run):{line}30")
    assert expected < actual
    assert "ran on: device cpu" in summary or "ran on: device cuda" in summary
