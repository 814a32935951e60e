"""Self-training the default head on a user's unlabelled frames (issue 17; Selective CL's refinement stage).

    python -m affordtools.self_train --teacher models-default/affordd-default.head.safetensors \\
        --frames run.mcap more-frames/ --train R/train10-0 R/train10-1 --test R/test11 \\
        --out adapted.head.safetensors --json scores.json

`--frames` takes folders of images and MCAP logs (the JPEG frames of every foxglove.CompressedImage
or sensor_msgs/msg/CompressedImage channel, as `affordd` records them, read front to back, so a
log a killed recorder left gives the frames before the cut; `--every N` keeps one frame in N).
The teacher head grounds each frame. Where it says an action is in view (presence at least
`--min-presence`), its map, clipped at 0 and multiplied by the frame's object mask (the saliency
decoder's object/background split, which stands in for Selective CL's CLIP object map), then
min-max normalised and raised to `--power`, becomes that action's pseudo-GT. Presence is learnt
where the teacher is sure: in view as above, or out of view at most `--max-absence`.

The teacher is then fine-tuned (`--epochs` 3 at `--lr` 3e-4 by default, otherwise as
`affordtools.default_head` trains) on the labelled renders plus these rows (`--weight` scales
their maps' loss), so it keeps what the renders teach and sees what the user's camera sees;
`--weight 0` is the control, the same fine-tuning without the frames. The held-out scores are
printed beside the teacher's. Frames to be scored on must not be among the frames trained on.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from mcap.exceptions import McapError
from mcap.reader import NonSeekingReader

from . import default_head
from .bank import GT_GRID
from .datasets import list_images
from .default_head import per_image, read_renders
from .export import export_head, head_forward_numpy, head_from_file, load_head_file, presence_numpy
from .features import FeatureExtractor
from .weak import object_mask

FOXGLOVE_COMPRESSED = "foxglove.CompressedImage"
ROS_COMPRESSED = "sensor_msgs/msg/CompressedImage"


def ros_compressed_image(data: bytes) -> tuple[str, bytes]:
    """(format, data) of a CDR-encoded sensor_msgs/msg/CompressedImage."""
    if len(data) < 4 or data[1] not in (0, 1):
        raise ValueError("not a CDR message (bad encapsulation header)")
    order = "<" if data[1] == 1 else ">"
    body, at = data[4:], 8  # header.stamp: sec, nanosec

    def sized() -> bytes:
        nonlocal at
        at = (at + 3) & ~3
        if at + 4 > len(body):
            raise ValueError("CDR message ends inside a length")
        (count,) = struct.unpack_from(order + "I", body, at)
        at += 4
        if at + count > len(body):
            raise ValueError(f"CDR field of {count} bytes runs past the message's end")
        value = body[at:at + count]
        at += count
        return value

    sized()  # header.frame_id
    image_format = sized().rstrip(b"\0").decode("utf-8", "replace")
    return image_format, sized()


def compressed_image(schema_name: str, encoding: str, data: bytes) -> tuple[str, bytes] | None:
    """(format, data) of a compressed image message of either schema; None for other messages."""
    if schema_name == FOXGLOVE_COMPRESSED and encoding == "json":
        body = json.loads(data)
        if not isinstance(body, dict):
            raise ValueError("a foxglove.CompressedImage message that is not a JSON object")
        return str(body.get("format", "")), base64.b64decode(str(body.get("data", "")), validate=True)
    if schema_name == ROS_COMPRESSED and encoding == "cdr":
        return ros_compressed_image(data)
    return None


def log_frames(log: Path, out: Path, every: int = 1, warn=print) -> list[Path]:
    """Every `every`-th JPEG frame of `log`'s compressed image channels, in file order, written to
    `out` once. A log that ends early (a recorder that was killed) gives the frames before the cut."""
    out.mkdir(parents=True, exist_ok=True)
    written, seen = [], 0
    with log.open("rb") as stream:
        try:
            # Read front to back: a killed recorder leaves no summary or index, only records.
            for schema, channel, message in NonSeekingReader(stream).iter_messages(log_time_order=False):
                try:
                    image = compressed_image(schema.name if schema else "", channel.message_encoding, message.data)
                except ValueError as error:
                    raise ValueError(f"{log}: message {message.sequence} on {channel.topic}: {error}") from error
                if image is None or not any(kind in image[0].lower() for kind in ("jpeg", "jpg")):
                    continue
                seen += 1
                if (seen - 1) % every:
                    continue
                path = out / f"{len(written):06d}.jpg"
                if not path.exists():
                    path.write_bytes(image[1])
                written.append(path)
        except (McapError, struct.error, EOFError) as error:
            if not written:
                raise ValueError(f"{log}: not a readable MCAP log ({type(error).__name__}: {error})") from error
            warn(f"{log}: unreadable after {seen} image messages ({type(error).__name__}: {error}); "
                 f"using the {len(written)} frames before it")
    return written


def collect_frames(sources: list[Path], cache: Path, every: int = 1) -> list[Path]:
    """Image files of the folders and frames of the logs in `sources`, logs unpacked under `cache`."""
    frames: list[Path] = []
    for source in sources:
        if source.is_dir():
            frames += list_images(source, [])[::every]
        elif source.suffix == ".mcap":
            with source.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()[:16]
            frames += log_frames(source, cache / f"{digest}-every{every}", every)
        else:
            raise ValueError(f"{source}: neither a folder of images nor an .mcap log")
    if not frames:
        raise ValueError(f"no frames in {', '.join(map(str, sources))}")
    return frames


def pseudo_labels(maps: torch.Tensor, presence: torch.Tensor, saliency: torch.Tensor, *, min_presence: float,
                  max_absence: float, power: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Teacher maps [I, K, h, w] (logits), presence [I, K] and saliency [I, S, S] -> pseudo-GT
    [I, K, GT_GRID, GT_GRID], which maps to learn [I, K] and where presence is known [I, K]."""
    size = (GT_GRID, GT_GRID)
    cam = F.interpolate(maps, size=size, mode="bilinear", align_corners=False).clamp(min=0)
    sal = F.interpolate(saliency[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]
    on_object = object_mask(sal.flatten(1)).reshape(sal.shape)
    refined = (cam * on_object[:, None]).flatten(2)
    low, high = refined.amin(-1, keepdim=True), refined.amax(-1, keepdim=True)
    gt = (((refined - low) / (high - low + 1e-12)) ** power).reshape(cam.shape)
    learn = (presence >= min_presence) & (high[..., 0] > low[..., 0])
    known = learn | (presence <= max_absence)
    return gt, learn, known


def frame_rows(frames: list[Path], teacher: dict[str, np.ndarray], extractor: FeatureExtractor, args: argparse.Namespace,
               log=print):
    """Tokens, pseudo-GT, learn and known masks of the frames (and their mirrored, augmented copies)."""
    tokens, maps, presence, saliency = [], [], [], []
    flips = (False, True) if args.mirror else (False,)
    for n, frame in enumerate(frames):
        for flip in flips:
            features = extractor(frame, flip=flip, augmented=flip and args.augment)
            tokens.append(torch.from_numpy(features.tokens))
            maps.append(torch.from_numpy(head_forward_numpy(teacher, features.tokens)))
            presence.append(torch.from_numpy(presence_numpy(teacher, features.tokens)))
            saliency.append(torch.from_numpy(features.saliency))
        if (n + 1) % 100 == 0:
            log(f"frames: {n + 1}/{len(frames)}")
    gt, learn, known = pseudo_labels(torch.stack(maps), torch.stack(presence), torch.stack(saliency),
                                     min_presence=args.min_presence, max_absence=args.max_absence, power=args.power)
    return torch.stack(tokens), gt, learn, known


def run(args: argparse.Namespace, log=print) -> dict:
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, args.threads))
    teacher, teacher_meta = load_head_file(args.teacher)
    head = head_from_file(args.teacher)  # the student starts as the teacher
    if head.presence is None:
        raise ValueError(f"{args.teacher} has no presence layer, so it cannot say which actions a frame shows")
    train_set, test_set = read_renders(args.train), read_renders(args.test)
    if train_set.actions != head.actions:
        raise ValueError(f"the renders' actions {train_set.actions} are not the teacher's {head.actions}")
    extractor = FeatureExtractor(args.models, args.cache, size=args.size)
    if teacher_meta.get("backbone_sha256") not in (None, extractor.backbone_sha256):
        raise ValueError(f"{args.teacher} was trained on another backbone than {args.models}")
    started = time.perf_counter()
    frames = collect_frames(args.frames, args.cache / "frames", args.every)
    frame_tokens, frame_gt, learn, known = frame_rows(frames, teacher, extractor, args, log=log)
    log(f"{len(frames)} frames: {int(learn.sum())} pseudo-labelled maps, presence known for "
        f"{float(known.float().mean()):.0%} of frame-action pairs ({time.perf_counter() - started:.0f} s)")
    render_tokens, render_gt, render_visible = per_image(train_set.train_ego, train_set.actions, extractor,
                                                         mirrored=args.mirror, augmented=args.augment,
                                                         object_floor=args.object_floor, log=log)
    tokens = torch.cat([render_tokens, frame_tokens])
    gt = torch.cat([render_gt, frame_gt])
    visible = torch.cat([render_visible, learn])
    presence_known = torch.cat([torch.ones_like(render_visible), known])
    row_weight = torch.cat([torch.ones(len(render_tokens)), torch.full((len(frame_tokens),), args.weight)])
    default_head.train(head, tokens, gt, visible, epochs=args.epochs, batch=args.batch, lr=args.lr, seed=args.seed,
                       presence_weight=args.presence_weight, presence_known=presence_known, row_weight=row_weight, log=log)
    recipe = {"mode": "self-trained", "teacher": str(args.teacher), "frames": [str(p) for p in args.frames],
              "frame_count": len(frames), "every": args.every, "pseudo_maps": int(learn.sum()),
              "min_presence": args.min_presence, "max_absence": args.max_absence, "power": args.power,
              "weight": args.weight, "train": [str(p) for p in args.train], "object_floor": args.object_floor,
              "epochs": args.epochs, "batch": args.batch,
              "lr": args.lr, "presence_weight": args.presence_weight, "seed": args.seed}
    effective = export_head(head, args.out, input_size=args.size, backbone_sha256=extractor.backbone_sha256,
                            recipe=recipe, model_id=args.out.name.split(".")[0], int8=True)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, int8)")
    results = {"frames": len(frames), "pseudo_maps": int(learn.sum())}
    results.update(default_head.held_out_scores(head, {"head (int8 file)": effective, "teacher (int8 file)": teacher},
                                                test_set, train_set.actions, extractor, log=log))
    return results


def bounded(kind, low, high):
    """An argparse type: `kind(text)` from `low` to `high`."""
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number from {low} to {high}, got {text}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    ap = default_head.training_parser("python -m affordtools.self_train", __doc__)
    ap.add_argument("--teacher", type=Path, required=True, help="the head file that labels the frames")
    ap.add_argument("--frames", type=Path, nargs="+", required=True, help="folders of images and .mcap logs")
    ap.add_argument("--every", type=bounded(int, 1, 10_000), default=1, metavar="N",
                    help="keep one frame in N (consecutive camera frames are near copies)")
    ap.add_argument("--min-presence", type=bounded(float, 0, 1), default=0.5, help="teacher presence that makes a pseudo-GT map")
    ap.add_argument("--max-absence", type=bounded(float, 0, 1), default=0.05, help="teacher presence taken as out of view")
    ap.add_argument("--power", type=bounded(float, 0.1, 10), default=2.0, help="sharpening of the refined maps (1: none)")
    ap.add_argument("--weight", type=bounded(float, 0, 100), default=1.0, help="weight of a pseudo-labelled map against a rendered one")
    ap.set_defaults(epochs=3, lr=3e-4)
    return ap


def main(argv: list[str] | None = None) -> int:
    return default_head.main(argv, parser(), run)


if __name__ == "__main__":
    sys.exit(main())
