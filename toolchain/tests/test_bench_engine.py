"""The bench driver against a fake engine server that speaks the real line protocol, and real peers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from affordtools import bench_engine, peers
from affordtools.engine_server import EngineServer, EngineServerError

FAKE = Path(__file__).with_name("fake_engine_server.py")


@pytest.fixture
def server_log(tmp_path, monkeypatch) -> Path:
    log = tmp_path / "server.log"
    monkeypatch.setenv("FAKE_SERVER_LOG", str(log))
    return log


@pytest.fixture(scope="module")
def peer_models(models_dir) -> peers.PeerModels:
    return peers.build_models(models_dir)


def test_driver_alternates_contenders_and_ends_with_the_json_line(models_dir, fixtures_dir, peer_models, server_log, capsys):
    code = bench_engine.main([
        "--bench", str(FAKE), "--models", str(models_dir), "--fixtures", str(fixtures_dir), "--samples", "4",
        "--samples-448", "0", "--batch-samples", "2", "--per-round", "2", "--warmup", "1", "--gap-s", "0",
    ])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["affordd_int8_ms"] == pytest.approx(10.005)  # median of 10.00 and 10.01, twice each
    assert result["affordd_fp32_ms"] == pytest.approx(20.005)
    peer_times = {name: result[f"{name}_ms"] for name in
                  ("openvino_int8", "openvino_fp32", "ort_static_int8", "ort_int8", "ort_fp32")}
    assert all(ms > 0 for ms in peer_times.values())
    assert result["best_peer"] == min(peer_times, key=peer_times.__getitem__)
    assert result["best_peer_ms"] == pytest.approx(min(peer_times.values()))
    assert result["ratio_vs_best_peer"] == pytest.approx(10.005 / result["best_peer_ms"], abs=1e-4)
    assert result["gemm_floor_ms"] == 12.0 and result["ratio_vs_floor"] == pytest.approx(10.005 / 12.0, abs=1e-4)
    assert result["ratio_vs_ort_int8"] == pytest.approx(10.005 / result["ort_int8_ms"], abs=1e-4)
    assert (result["cosine_mean"], result["cosine_min"]) == (0.995, 0.97)
    assert result["cosine"]["affordd_int8"] == {"mean": 0.999, "min": 0.99}
    # The fp32 peers are the reference graph itself; the int8 ones lose a little, not everything.
    assert result["cosine"]["ort_fp32"]["min"] > 0.9999 and result["cosine"]["openvino_fp32"]["min"] > 0.999
    for name in ("openvino_int8", "ort_static_int8", "ort_int8"):
        assert 0.9 < result["cosine"][name]["mean"] < 1.0
    assert result["batch_per_image_ms"] == pytest.approx({"1": 10.005, "2": 10.0025, "4": 10.00125}, abs=1e-3)
    assert result["ort_int8_weight_type"] in peers.WEIGHT_TYPES and result["cpu"] and "at_448" not in result
    assert any(line.startswith("affordd_int8") for line in lines[:-1])  # the readable table came first
    commands = server_log.read_text().splitlines()
    assert commands[0] == f"engine-server --models {models_dir} --threads 2 --fixtures {fixtures_dir}"
    # Warm-up, then per turn one lead-in and two timed runs, alternating with the peers.
    assert commands[1:3] == ["run int8 1 224 1", "run fp32 1 224 1"]
    # (int8 at B=1 once more for the batch table)
    assert commands.count("run int8 3 224 1") == 3 and commands.count("run fp32 3 224 1") == 2
    assert {"reference 224", "cosine", "floor 224", "run int8 3 224 4"} <= set(commands) and commands[-1] == "quit"


def test_calibration_set_is_fixed_and_apart_from_the_fidelity_images():
    first, second = peers.calibration_set(), peers.calibration_set()
    assert len(first) == peers.CALIBRATION_COUNT and all(a.shape == (1, 3, 224, 224) for a in first)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not {"coffee", "astronaut", "chelsea"} & set(peers.CALIBRATION_IMAGES)


def test_peer_models_are_cached_by_source_and_recipe(models_dir, peer_models):
    stamp = peer_models.openvino_int8.with_name(peer_models.openvino_int8.name + ".key")
    before = peer_models.openvino_int8.stat().st_mtime_ns
    again = peers.build_models(models_dir)
    assert again.openvino_int8.stat().st_mtime_ns == before and stamp.read_text() == peers._key(models_dir / "dinov2_vits14_backbone.onnx")


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


def test_every_turn_waits_for_the_cores_then_drops_its_lead_in(monkeypatch):
    events: list[object] = []
    monkeypatch.setattr(bench_engine.time, "sleep", lambda seconds: events.append(("sleep", seconds)))

    def runner(name: str):
        def run(count: int) -> list[float]:
            events.append((name, count))
            return [100.0] + [float(i) for i in range(count - 1)]  # the first (lead-in) run is slow
        return run

    times = bench_engine.alternate({"a": runner("a"), "b": runner("b")}, samples=4, per_round=2, warmup=1, gap_s=0.25)
    assert times == {"a": [0.0, 1.0, 0.0, 1.0], "b": [0.0, 1.0, 0.0, 1.0]}
    assert events == [("a", 1), ("b", 1)] + [("sleep", 0.25), ("a", 3), ("sleep", 0.25), ("b", 3)] * 2


@pytest.mark.parametrize("text", ["-1", "nan", "11"])
def test_the_gap_is_range_checked(text):
    with pytest.raises(SystemExit):
        bench_engine.main(["--bench", "x", "--models", "x", "--gap-s", text])
