"""The bench driver against a fake engine server that speaks the real line protocol, and real onnxruntime."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from affordtools import bench_engine
from affordtools.engine_server import EngineServer, EngineServerError
from affordtools.ort_bench import WEIGHT_TYPES

FAKE = Path(__file__).with_name("fake_engine_server.py")


@pytest.fixture
def server_log(tmp_path, monkeypatch) -> Path:
    log = tmp_path / "server.log"
    monkeypatch.setenv("FAKE_SERVER_LOG", str(log))
    return log


def test_driver_alternates_contenders_and_ends_with_the_json_line(models_dir, server_log, capsys):
    code = bench_engine.main([
        "--bench", str(FAKE), "--models", str(models_dir), "--samples", "4", "--per-round", "2", "--warmup", "1",
    ])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["affordd_int8_ms"] == pytest.approx(10.005)  # median of 10.00, 10.01 (x2)
    assert result["affordd_fp32_ms"] == pytest.approx(20.005)
    assert result["ort_int8_ms"] > 0 and result["ort_fp32_ms"] > 0
    assert result["ratio_vs_ort_int8"] == pytest.approx(10.005 / result["ort_int8_ms"], abs=1e-4)
    assert (result["cosine_mean"], result["cosine_min"]) == (0.995, 0.97)
    assert result["ort_int8_weight_type"] in WEIGHT_TYPES and result["cpu"]
    assert any(line.startswith("affordd_int8") for line in lines[:-1])  # the readable table came first
    commands = server_log.read_text().splitlines()
    assert commands[0] == f"engine-server --models {models_dir} --threads 2"
    assert commands[1:] == ["run int8 1", "run fp32 1"] + ["run int8 2", "run fp32 2"] * 2 + ["cosine", "quit"]


def test_server_that_dies_before_ready_is_reported_with_its_stderr(models_dir, monkeypatch):
    monkeypatch.setenv("FAKE_SERVER_MODE", "crash")
    with pytest.raises(EngineServerError) as error:
        EngineServer(FAKE, models_dir)
    assert "exited with status 3" in str(error.value)
    assert "cannot open models/dinov2_vits14.int8.safetensors" in str(error.value)


def test_non_json_answer_is_a_protocol_error(models_dir, monkeypatch):
    monkeypatch.setenv("FAKE_SERVER_MODE", "garbage")
    with EngineServer(FAKE, models_dir) as server, pytest.raises(EngineServerError) as error:
        server.run("int8", 2)
    assert "not JSON" in str(error.value)


def test_missing_executable_is_a_clear_error(tmp_path):
    with pytest.raises(EngineServerError) as error:
        EngineServer(tmp_path / "affordd-bench", tmp_path)
    assert "cannot start" in str(error.value)
