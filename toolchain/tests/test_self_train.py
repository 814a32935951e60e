"""Self-training's pieces without the backbone: frames out of logs, pseudo-labels, weighted losses."""
from __future__ import annotations

import base64
import io
import json
import struct

import numpy as np
import pytest
import torch
from mcap.writer import Writer
from PIL import Image

from affordtools.bank import GT_GRID
from affordtools.demo_log import write as write_demo_log
from affordtools.self_train import collect_frames, log_frames, pseudo_labels, ros_compressed_image
from affordtools.train import kl_loss


def cdr_compressed_image(image_format: str, data: bytes, frame_id: str = "cam") -> bytes:
    """sensor_msgs/msg/CompressedImage in little-endian CDR, written field by field."""
    body = bytearray(struct.pack("<iI", 12, 34))

    def sized(payload: bytes) -> None:
        while len(body) % 4:
            body.append(0)
        body.extend(struct.pack("<I", len(payload)) + payload)

    sized(frame_id.encode() + b"\0")
    sized(image_format.encode() + b"\0")
    sized(data)
    return bytes([0, 1, 0, 0]) + bytes(body)


def jpeg(value: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), value, np.uint8)).save(out, format="JPEG")
    return out.getvalue()


def test_cdr_compressed_images_parse_and_truncation_is_an_error():
    message = cdr_compressed_image("jpeg", b"\xff\xd8abc\xff\xd9", frame_id="wrist_optical_frame")
    assert ros_compressed_image(message) == ("jpeg", b"\xff\xd8abc\xff\xd9")
    with pytest.raises(ValueError, match="past the message's end"):
        ros_compressed_image(message[:-2])
    with pytest.raises(ValueError, match="encapsulation"):
        ros_compressed_image(b"\x00\x07\x00\x00" + message[4:])


def test_log_frames_keeps_every_nth_jpeg_of_both_schemas(tmp_path):
    pictures = [(f"f{i}", np.full((16, 16, 3), 40 * i, np.uint8)) for i in range(5)]
    foxglove_log = tmp_path / "foxglove.mcap"
    write_demo_log(foxglove_log, pictures)
    frames = log_frames(foxglove_log, tmp_path / "out", every=2)
    assert [p.name for p in frames] == ["000000.jpg", "000001.jpg", "000002.jpg"]
    means = [np.asarray(Image.open(p)).mean() for p in frames]
    assert means == pytest.approx([0, 80, 160], abs=3)  # frames 0, 2 and 4

    ros_log = tmp_path / "ros.mcap"
    with ros_log.open("wb") as stream:
        writer = Writer(stream)
        writer.start()
        image = writer.register_schema("sensor_msgs/msg/CompressedImage", "ros2msg", b"")
        camera = writer.register_channel("/wrist/image/compressed", "cdr", image)
        other = writer.register_channel("/wrist/camera_info", "cdr", writer.register_schema("sensor_msgs/msg/CameraInfo", "ros2msg", b""))
        for i, (fmt, value) in enumerate([("jpeg", 10), ("png", 20), ("bgr8; jpeg compressed bgr8", 200)]):
            writer.add_message(camera, i, cdr_compressed_image(fmt, jpeg(value)), i)
            writer.add_message(other, i, b"\x00\x01\x00\x00", i)
        writer.finish()
    frames = collect_frames([ros_log], tmp_path / "cache")
    assert [round(float(np.asarray(Image.open(p)).mean()), -1) for p in frames] == [10, 200]  # the PNG is skipped
    with pytest.raises(ValueError, match="neither a folder"):
        collect_frames([tmp_path / "notes.txt"], tmp_path / "cache")


def test_a_log_cut_short_gives_the_frames_before_the_cut_and_garbage_is_an_error(tmp_path):
    whole = tmp_path / "whole.mcap"
    count = 6
    with whole.open("wb") as stream:
        writer = Writer(stream, chunk_size=1024)  # a chunk per frame, as a recorder flushing often leaves them
        writer.start()
        camera = writer.register_channel("/front", "json", writer.register_schema("foxglove.CompressedImage", "jsonschema", b"{}"))
        for i in range(count):
            body = {"format": "jpeg", "data": base64.b64encode(jpeg(40 * i)).decode()}
            writer.add_message(camera, i, json.dumps(body).encode(), i)
        writer.finish()
    data = whole.read_bytes()
    cut = tmp_path / "cut.mcap"
    cut.write_bytes(data[:len(data) * 2 // 3])  # no summary, no footer, a record cut in two
    warnings = []
    frames = log_frames(cut, tmp_path / "cut-frames", warn=warnings.append)
    assert 0 < len(frames) < count
    assert [np.asarray(Image.open(p)).mean() for p in frames] == pytest.approx([40 * i for i in range(len(frames))], abs=3)
    assert len(warnings) == 1 and "unreadable after" in warnings[0], warnings

    garbage = tmp_path / "garbage.mcap"
    garbage.write_bytes(b"\x89MCAP0\r\n" + bytes(range(256)) * 4)
    with pytest.raises(ValueError, match="not a readable MCAP log"):
        log_frames(garbage, tmp_path / "garbage-frames")
    (tmp_path / "text.mcap").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable MCAP log"):
        collect_frames([tmp_path / "text.mcap"], tmp_path / "cache")


def test_pseudo_labels_keep_the_teachers_sure_maps_on_the_object():
    side = 4
    maps = torch.full((1, 3, side, side), -1.0)
    maps[0, :, :, : side // 2] = 2.0  # every action lights the left half
    presence = torch.tensor([[0.9, 0.01, 0.3]])  # in view, surely out of view, unsure
    saliency = torch.zeros(1, 8, 8)
    saliency[0, :4] = 1.0  # the object is the top half
    gt, learn, known = pseudo_labels(maps, presence, saliency, min_presence=0.5, max_absence=0.05, power=2.0)
    assert gt.shape == (1, 3, GT_GRID, GT_GRID)
    assert learn.tolist() == [[True, False, False]] and known.tolist() == [[True, True, False]]
    hold = gt[0, 0]
    assert hold.max() == pytest.approx(1.0)
    assert hold[GT_GRID * 3 // 4:].abs().max() == 0  # off the object
    assert hold[:, GT_GRID * 3 // 4:].abs().max() == 0  # where the teacher's map is negative
    assert hold[: GT_GRID // 4, : GT_GRID // 4].min() == pytest.approx(1.0)

    flat = torch.zeros(1, 1, side, side)
    _, learn, _ = pseudo_labels(flat, torch.tensor([[0.99]]), saliency, min_presence=0.5, max_absence=0.05, power=2.0)
    assert learn.tolist() == [[False]]  # a map with nothing on the object teaches nothing


def test_kl_loss_weights_pairs():
    gen = torch.Generator().manual_seed(0)
    maps, gt = torch.randn(2, 4, 4, generator=gen), torch.rand(2, 8, 8, generator=gen)
    first = kl_loss(maps[:1], gt[:1])
    assert kl_loss(maps, gt, torch.tensor([1.0, 0.0])) == pytest.approx(float(first))
    assert kl_loss(maps, gt, torch.tensor([2.0, 2.0])) == pytest.approx(float(kl_loss(maps, gt)))


def test_a_head_read_back_from_its_file_computes_what_the_file_does(tmp_path):
    """The student starts as the teacher: `head_from_file` in training mode gives the file's maps
    and presence, and exporting it again writes the same weights."""
    from affordtools.export import export_head, head_forward_numpy, head_from_file, load_head_file, presence_numpy
    from affordtools.head import LocateHead

    torch.manual_seed(0)
    original = LocateHead(["cut", "hold"], 16, 8, exo_branch=False, presence=True)
    with torch.no_grad():  # BatchNorms that are not the identity, so folding matters
        for bn in (original.ego[0][1], original.ego[1][1]):
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2)
            bn.weight.uniform_(0.5, 1.5)
    path = tmp_path / "teacher.head.safetensors"
    effective = export_head(original, path, input_size=56, backbone_sha256="x", recipe={}, model_id="t", int8=True)
    student = head_from_file(path)
    tokens = torch.randn(3, 16, 16)
    student.train()
    maps, presence = student.forward_with_presence(tokens)
    for i in range(3):
        assert np.allclose(maps[i].detach().numpy(), head_forward_numpy(effective, tokens[i].numpy()), atol=1e-4)
        assert np.allclose(torch.sigmoid(presence[i]).detach().numpy(), presence_numpy(effective, tokens[i].numpy()), atol=1e-5)
    again = export_head(student, tmp_path / "again.head.safetensors", input_size=56, backbone_sha256="x",
                        recipe={}, model_id="t", int8=False)
    for name, value in load_head_file(path)[0].items():
        assert np.allclose(again[name], value, atol=1e-6), name
