"""The MCAP reference logs the Swift replay tests use are what their manifest says,
as read back by the reference `mcap` reader (so a Swift failure points at Swift)."""

import base64
import json

from affordtools import mcapcheck, mcapfixtures


def test_reference_logs_match_their_manifest(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["mcapfixtures", "--out", str(tmp_path), "--frames", "5"])
    mcapfixtures.main()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest) == 6
    for name, topics in manifest.items():
        report = mcapcheck.check(str(tmp_path / name))
        assert report["profile"] == ("ros2" if name.startswith("ros2") else "")
        assert report["streamed_messages"] == report["statistics"]["message_count"]
        for topic, frames in topics.items():
            seen = report["topics"][topic]
            assert len(seen["log_times"]) == len(frames) == 5
            if name.startswith("foxglove"):
                assert seen["payload"] == [frame["data"] for frame in frames]
            else:
                # CDR: the pixel bytes sit at the end of each serialised message.
                for data, frame in zip(seen["data"], frames):
                    pixels = base64.b64decode(frame["data"])
                    if topic == "/camera/uyvy":  # stored as UYVY, replayed as YUYV
                        pixels = bytes(b for pair in zip(pixels[1::2], pixels[0::2]) for b in pair)
                    assert base64.b64decode(data).endswith(pixels)


def test_yuyv_fixture_has_two_bytes_per_pixel(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["mcapfixtures", "--out", str(tmp_path), "--frames", "1"])
    mcapfixtures.main()
    frame = json.loads((tmp_path / "manifest.json").read_text())["ros2_image.mcap"]["/camera/yuyv"][0]
    assert len(base64.b64decode(frame["data"])) == frame["width"] * frame["height"] * 2
