import subprocess
import sys

import pytest
import torch

import coursekit
from coursekit.device import DeviceError, choose_device, valid_choices


def test_cpu_fallback_without_variable(monkeypatch):
    monkeypatch.delenv("COURSEKIT_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    device, reason = choose_device()
    assert device == torch.device("cpu")
    assert "no CUDA" in reason


def test_cuda_preferred_when_available(monkeypatch):
    monkeypatch.delenv("COURSEKIT_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: "Fake GPU")
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    device, reason = choose_device()
    assert device == torch.device("cuda:0")
    assert "Fake GPU" in reason


def test_variable_wins_over_cuda(monkeypatch):
    monkeypatch.setenv("COURSEKIT_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    device, reason = choose_device()
    assert device == torch.device("cpu")
    assert reason == "set by COURSEKIT_DEVICE=cpu"


@pytest.mark.parametrize("name", ["nonsense", "cuda:x", "cpu:1", "gpu", "cpu cpu", "cp u"])
def test_unknown_names_list_the_valid_choices(monkeypatch, name):
    monkeypatch.setenv("COURSEKIT_DEVICE", name)
    with pytest.raises(DeviceError) as info:
        choose_device()
    message = str(info.value)
    assert f"COURSEKIT_DEVICE={name}" in message
    assert "Valid choices here: " in message and "cpu" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["cpu\n", " cpu ", "CPU", "cpu:0", "cpu:0\n", "\tcpu:0"])
def test_cpu_spellings_torch_accepts_give_the_cpu(monkeypatch, name):
    monkeypatch.delenv("COURSEKIT_DEVICE", raising=False)
    device, reason = choose_device(name)
    assert device == torch.device("cpu")  # what CPU tensors report, so `t.device == device`
    assert torch.zeros(1, device=device).device == device
    assert "\n" not in reason
    monkeypatch.setenv("COURSEKIT_DEVICE", name)
    assert choose_device()[0] == torch.device("cpu")


@pytest.mark.parametrize("name", ["cpu\ncuda", "cpu:00x", "cuda:0:1", "cpu:-1", "mps:1"])
def test_malformed_names_raise_one_line_device_errors(name):
    with pytest.raises(DeviceError) as info:
        choose_device(name)
    assert "\n" not in str(info.value) and "Valid choices here: " in str(info.value)


def test_setup_accepts_a_device_with_a_newline(capsys, monkeypatch):
    monkeypatch.delenv("COURSEKIT_DEVICE", raising=False)
    assert coursekit.setup(device="cpu\n") == torch.device("cpu")
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_unavailable_cuda_is_explained(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="sees no CUDA GPU"):
        choose_device("cuda")


def test_cuda_index_out_of_range(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(DeviceError, match="has 1 CUDA device"):
        choose_device("cuda:3")
    assert choose_device("cuda:0")[0] == torch.device("cuda:0")


def test_valid_choices_always_include_cpu():
    assert valid_choices()[-1] == "cpu"


def test_ipython_shows_one_line():
    error = DeviceError("COURSEKIT_DEVICE=x is not a device name.")
    assert error._render_traceback_() == ["DeviceError: COURSEKIT_DEVICE=x is not a device name."]


def test_setup_prints_one_line(capsys, monkeypatch):
    monkeypatch.setenv("COURSEKIT_DEVICE", "cpu")
    device = coursekit.setup(seed=3)
    lines = capsys.readouterr().out.splitlines()
    assert device == torch.device("cpu")
    assert lines == ["coursekit: device cpu (set by COURSEKIT_DEVICE=cpu), seed 3"]


def test_command_line_error_is_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "coursekit"],
        env={"COURSEKIT_DEVICE": "nonsense", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("DeviceError: COURSEKIT_DEVICE=nonsense is not a device name.")


def test_notebook_error_is_one_line(monkeypatch):
    """In a lesson (a Jupyter kernel) a bad device is one line, not a traceback."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("COURSEKIT_DEVICE", "nonsense")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import coursekit\ndevice = coursekit.setup()")]
    )
    with pytest.raises(CellExecutionError):
        NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    (error,) = notebook.cells[0].outputs
    assert error.output_type == "error"
    (line,) = error.traceback
    assert line.startswith("DeviceError: COURSEKIT_DEVICE=nonsense is not a device name.")
    assert "Valid choices here: " in line and "\n" not in line
