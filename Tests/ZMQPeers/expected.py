"""The synthetic results the Swift tests publish, computed independently here.

Tests/AffordTransportTests/SyntheticResults.swift builds the same values in Swift;
the peers below check what arrives on the wire against these formulas.
"""
import numpy as np

SPECIAL = {(0, 0): -0.25, (1, 0): 1.5, (2, 0): float("nan")}


def heatmap(width, height, action_index, seq):
    y, x = np.mgrid[0:height, 0:width]
    values = ((x + 3 * y + 17 * action_index + seq) % 256).astype(np.float32) / np.float32(255)
    for (sx, sy), value in SPECIAL.items():
        values[sy, sx] = np.float32(value)
    return values


def mono8(values):
    clipped = np.where(np.isnan(values), np.float32(0), np.clip(values, 0, 1)).astype(np.float32)
    return np.rint(clipped * np.float32(255)).astype(np.uint8)


def centroid(action_index, seq):
    first = action_index == 0
    return {
        "u": 10.5 + action_index,
        "v": 20.25 + seq % 5,
        "area": 100 + action_index,
        "peak": 0.75,
        "mean": 0.5,
        "ray_camera": [0.0, 0.6, 0.8] if first else None,
        "ray_base": None,
        "table_point": [1.0, 2.0, 3.0] if first else None,
        # Variances 9 and 4 along x and y: ±2σ extents 12 and 8.
        "axis": [1.0, 0.0] if first else None,
        "length_px": 12.0 if first else None,
        "width_px": 8.0 if first else None,
        "elongation": 1 - 8 / 12 if first else None,
        "grasp": {"source": "depth", "position": [1.0, 2.0, 3.5], "yaw": 0.5, "width_m": 0.25, "length_m": 0.75,
                  "frame": {"position": [1.0, 2.0, 3.5], "orientation": [0.0, 1.0, 0.0, 0.0]}} if first else None,
        # From a depth frame: a quarter of the component's pixels without a reading.
        "point_camera": [0.0, 0.3, 0.4] if first else None,
        "point_base": [1.0, 2.0, 3.5] if first else None,
        "normal_base": [0.0, 0.0, 1.0] if first else None,
        "depth_valid_fraction": 0.75 if first else None,
    }


def presence(action_index, seq):
    return None if action_index == 0 else ((seq + action_index) % 8) / 8
