"""Depth from the data engine and the RGB-D fixture (issue 14), checked with independent
tools: OpenCV's projection and rasteriser, and the reference `mcap` reader with its ROS 2 decoder."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory
from PIL import Image
from scipy.spatial.transform import Rotation

from affordtools.fixtures import GENERATORS, rgbd
from affordtools.render.categories import CATEGORIES
from affordtools.render.scene import render

NO_DISTORTION = np.zeros(5)


@pytest.fixture(scope="module")
def fixture(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("fixtures")
    written = rgbd.write_rgbd_fixtures(Path("no-models-needed"), out)
    folder = out / rgbd.FOLDER
    assert sorted(written) == sorted(folder.iterdir())
    return folder, json.loads((folder / "scene.json").read_text())


@pytest.fixture(scope="module")
def scene_again():
    """The fixture's object and view rendered again, at one sample per pixel (its geometry does not depend on spp)."""
    rng = np.random.default_rng(rgbd.SEED)
    obj = CATEGORIES[rgbd.CATEGORY](rng)
    return obj, render(obj, rng, (rgbd.WIDTH, rgbd.HEIGHT), 1, depth=True)


def camera(scene: dict) -> tuple[np.ndarray, ...]:
    """K, then camera-to-base R and t, then OpenCV's base-to-camera rvec and tvec."""
    K = np.reshape(scene["K"], (3, 3))
    R = Rotation.from_quat(scene["camera_to_base"]["rotation"]).as_matrix()  # x, y, z, w
    t = np.array(scene["camera_to_base"]["translation"])
    return K, R, t, cv2.Rodrigues(R.T)[0], -R.T @ t


def project(points: np.ndarray, scene: dict) -> np.ndarray:
    K, _, _, rvec, tvec = camera(scene)
    return cv2.projectPoints(np.asarray(points, np.float64).reshape(-1, 3), rvec, tvec, K, NO_DISTORTION)[0][:, 0]


def test_make_fixtures_runs_the_generator_and_it_writes_only_when_stale(fixture):
    folder, _ = fixture
    assert rgbd.write_rgbd_fixtures in GENERATORS
    assert rgbd.write_rgbd_fixtures(Path("no-models-needed"), folder.parent) == []
    (folder / "depth.png").unlink()
    assert len(rgbd.write_rgbd_fixtures(Path("no-models-needed"), folder.parent)) == len(rgbd.FILES)


def test_depth_back_projects_onto_mitsubas_world_positions(fixture, scene_again):
    folder, scene = fixture
    K, R, t, _, _ = camera(scene)
    depth = np.asarray(Image.open(folder / "depth.png"))
    assert depth.dtype == np.uint16 and depth.shape == (scene["height"], scene["width"]) == (240, 320)
    points = scene_again[1].geometry.points
    hit = ~np.isnan(points[..., 0])
    assert hit.mean() > 0.9 and ((depth > 0) == hit).all()
    v, u = np.nonzero(hit)
    in_camera = np.linalg.inv(K) @ np.stack([u, v, np.ones_like(u)]) * (depth[v, u] / 1000)
    error = np.linalg.norm((R @ in_camera).T + t - points[v, u], axis=1)
    assert error.max() < 1e-3  # millimetre depth: at most 0.5 mm along the ray


def test_world_positions_project_onto_the_centres_of_their_pixels(fixture, scene_again):
    _, scene = fixture
    points = scene_again[1].geometry.points
    v, u = np.nonzero(~np.isnan(points[..., 0]))
    assert np.abs(project(points[v, u], scene) - np.c_[u, v]).max() < 0.01


def test_part_centroids_project_onto_their_parts(fixture):
    folder, scene = fixture
    _, R, t, _, _ = camera(scene)
    parts = np.asarray(Image.open(folder / "parts.png"))
    for part in scene["parts"]:
        ys, xs = np.nonzero(parts == part["label"])
        assert part["pixels"] == len(xs)
        (u, v), = project(part["centroid_base"], scene)
        assert np.hypot(xs - u, ys - v).min() < 1.5, part["name"]
        np.testing.assert_allclose(R @ part["centroid_camera"] + t, part["centroid_base"], atol=1e-5)
        assert part["centroid_base"][2] > 0  # above the table
    graspable = [p["name"] for p in scene["parts"]
                 if "hold" in p["affordances"] and p["unoccluded"] and p["pixels"] >= 800]
    assert graspable == ["handle"]


def test_unoccluded_means_the_whole_projected_mesh_is_seen(fixture, scene_again):
    """OpenCV rasterises each part's triangles: an unoccluded part is seen wherever its mesh
    projects (but on its outline, where a pixel's label is a coin toss); an occluded one is not."""
    folder, scene = fixture
    obj, _ = scene_again
    parts = np.asarray(Image.open(folder / "parts.png"))
    for part in scene["parts"]:
        mesh = obj.parts[part["index"]].mesh
        corners = np.round(project(mesh.vertices, scene) * 16).astype(np.int32)  # 4 bits of sub-pixel precision
        silhouette = np.zeros(parts.shape, np.uint8)
        for triangle in corners[mesh.faces]:
            cv2.fillConvexPoly(silhouette, triangle, 1, shift=4)
        inside = cv2.erode(silhouette, np.ones((3, 3), np.uint8)).astype(bool)
        hidden = (inside & (parts != part["label"])).sum()
        assert (hidden == 0) == part["unoccluded"], f"{part['name']}: {hidden} of {inside.sum()} pixels hidden"


def read_camera_info(text: str) -> dict:
    """camera_info's keys: scalars and {rows, cols, data} mappings (their values are JSON)."""
    info: dict = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        name, value = (s.strip() for s in line.split(":", 1))
        try:
            value = json.loads(value or "{}")
        except ValueError:
            pass  # a bare string
        if line.startswith("  "):
            info[mapping][name] = value
        else:
            info[name], mapping = value, name
    return info


def test_camera_info_and_extrinsics_agree_with_the_scene(fixture):
    folder, scene = fixture
    info = read_camera_info((folder / "camera_info.yaml").read_text())
    assert (info["image_width"], info["image_height"], info["distortion_model"]) == (320, 240, "plumb_bob")
    assert info["camera_matrix"] == {"rows": 3, "cols": 3, "data": scene["K"]}
    assert info["distortion_coefficients"]["data"] == scene["distortion"] == [0] * 5
    assert info["rectification_matrix"]["data"] == np.eye(3).ravel().tolist()
    np.testing.assert_array_equal(np.reshape(info["projection_matrix"]["data"], (3, 4)),
                                  np.c_[np.reshape(scene["K"], (3, 3)), np.zeros(3)])
    extrinsics = read_camera_info((folder / "camera_to_base.yaml").read_text())
    assert extrinsics["child_frame"] == "camera_color_optical_frame"
    assert extrinsics["translation"] == scene["camera_to_base"]["translation"]
    assert extrinsics["rotation"] == scene["camera_to_base"]["rotation"]
    _, R, _, _, _ = camera(scene)
    assert 40 <= np.degrees(np.arcsin(-R[2, 2])) <= 70  # the optical axis looks down at the table


COLOUR, DEPTH = "/camera/color/image_raw", "/camera/aligned_depth_to_color/image_raw"


def stamp_ns(image) -> int:
    return image.header.stamp.sec * 10**9 + image.header.stamp.nanosec


# log: (frames, depth encoding, frames with depth, depth logged before its colour, depth stamp - colour stamp)
LOGS = {
    "rgbd.mcap": (10, "16UC1", list(range(10)), False, 0),
    "rgbd_depth_dropped.mcap": (10, "16UC1", [0, 1, 3, 4, 7, 8, 9], False, 0),
    "rgbd_32fc1.mcap": (5, "32FC1", list(range(5)), True, 3_000_000),
}


@pytest.mark.parametrize("name", LOGS)
def test_logs_hold_what_their_manifest_says(fixture, name):
    folder, _ = fixture
    frames, encoding, with_depth, depth_first, offset = LOGS[name]
    manifest = json.loads((folder / "manifest.json").read_text())["logs"][name]
    assert manifest["frames"] == frames
    assert (manifest["depth"]["encoding"], manifest["depth"]["frames"]) == (encoding, with_depth)
    colour_png = np.asarray(Image.open(folder / "colour.png"))
    depth_png = np.asarray(Image.open(folder / "depth.png"))
    with open(folder / name, "rb") as stream:
        reader = make_reader(stream, decoder_factories=[DecoderFactory()])
        assert reader.get_header().profile == "ros2"
        messages = [(channel.topic, schema.name, message.log_time, image)
                    for schema, channel, message, image in reader.iter_decoded_messages(log_time_order=False)]
    assert [m[2] for m in messages] == sorted(m[2] for m in messages)  # file order is log-time order
    order = []
    for frame in range(frames):
        pair = [COLOUR, DEPTH] if frame in with_depth else [COLOUR]
        order += pair[::-1] if depth_first else pair
    assert [m[0] for m in messages] == order
    assert (manifest["colour"]["topic"], manifest["depth"]["topic"]) == (COLOUR, DEPTH)
    colour = [m for m in messages if m[0] == COLOUR]
    depth = [m for m in messages if m[0] == DEPTH]
    stamps = [stamp_ns(image) for _, _, _, image in colour]
    assert stamps == [stamps[0] + k * 100_000_000 for k in range(frames)] == manifest["colour"]["stamps_ns"]
    for frame, (_, _, _, image) in zip(with_depth, depth):
        assert stamp_ns(image) == stamps[frame] + offset
        assert (image.encoding, image.is_bigendian, image.width, image.height) == (encoding, 0, 320, 240)
        assert image.header.frame_id == "camera_color_optical_frame"
        if encoding == "16UC1":
            assert image.step == 2 * 320
            np.testing.assert_array_equal(np.frombuffer(bytes(image.data), "<u2").reshape(240, 320), depth_png)
        else:
            assert image.step == 4 * 320
            metres = np.frombuffer(bytes(image.data), "<f4").reshape(240, 320)
            assert (np.isnan(metres) == (depth_png == 0)).all()
            np.testing.assert_array_equal(np.round(metres[depth_png > 0] * 1000), depth_png[depth_png > 0])
    for _, schema, _, image in colour:
        assert (schema, image.encoding, image.step, image.header.frame_id) == (
            "sensor_msgs/msg/Image", "rgb8", 3 * 320, "camera_color_optical_frame")
        np.testing.assert_array_equal(np.frombuffer(bytes(image.data), np.uint8).reshape(240, 320, 3), colour_png)


@pytest.mark.parametrize("category", ["mug", "knife"])
def test_depth_leaves_the_image_and_part_labels_as_they_were(category):
    renders = []
    for depth in (False, True):
        rng = np.random.default_rng(5)
        renders.append(render(CATEGORIES[category](rng), rng, 64, 4, depth=depth))
    without, with_depth = renders
    assert without.geometry is None and with_depth.geometry is not None
    np.testing.assert_array_equal(with_depth.image, without.image)
    np.testing.assert_array_equal(with_depth.parts, without.parts)
