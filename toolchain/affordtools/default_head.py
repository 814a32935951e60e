"""The default head: supervised training on rendered datasets, int8 export, held-out scores.

    python -m affordtools.default_head --train R/train10-0 R/train10-1 --test R/test11 R/test11new \\
        --out models-default/affordd-default.head.safetensors --json scores.json

Every folder is in the render engine's generic layout. Unlike `affordtools.train
--layout generic` (one sample per (image, action), every 10th held out), an image is
one sample carrying all its visible actions, so the backbone and the head run once per
image, and the test set is a separately seeded render (no scene is in both sets).
scripts/default-head.sh is the whole recipe: render -> features -> train -> export.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .bank import GT_GRID, build_bank
from .datasets import Dataset, LayoutError, Sample
from .exemplars import read_generic
from .export import export_head, head_forward_numpy, presence_numpy
from .features import FeatureExtractor
from .head import LocateHead
from .render.heatmap import heatmap_from_mask
from .predict import centre_prior, evaluate_maps, head_maps, saliency_maps
from .presence import presence_scores
from .train import kl_loss


def read_renders(roots: list[Path]) -> Dataset:
    """All (image, action) pairs of several generic-layout folders, all in `train_ego`."""
    merged = Dataset(actions=[], warnings=[])
    for root in roots:
        part = read_generic(root, holdout_every=0)
        merged.train_ego += part.train_ego
        merged.warnings += part.warnings
        merged.actions = sorted(set(merged.actions) | set(part.actions))
    return merged


def object_heat(image: Path, size: int) -> np.ndarray:
    """The whole object's GT-shaped map at size x size: the render's part labels (`parts/`,
    beside `images/`) merged into one mask, blurred and peaked as a part's GT is."""
    labels = image.parent.parent / "parts" / f"{image.stem}.png"
    with Image.open(labels) as im:
        heat = heatmap_from_mask(np.asarray(im) > 0)
    if heat is None:
        return np.zeros((size, size), np.float32)
    return np.asarray(Image.fromarray(heat, mode="F").resize((size, size), Image.BILINEAR), np.float32).clip(0, 1)


def per_image(samples: list[Sample], actions: list[str], extractor: FeatureExtractor, *, mirrored: bool = False,
              augmented: bool = False, object_floor: float = 0.0, log=print):
    """Tokens [I, N, D], GT [I, K, G, G] and a visibility mask [I, K]: one row per image.

    With `mirrored`, every image comes twice, as rendered and mirrored left-right (GT too):
    the renders' lights and handles must not teach the head a preferred side. With
    `augmented`, the mirrored copy also goes through a photometric draw (`augment.py`), so half
    the rows look as a real camera's frames do, at no extra backbone cost. With `object_floor`
    f > 0, each visible action's GT becomes max(GT, f · the whole object's map): some mass on
    the rest of the object, so a head unsure of the part spreads over the object, not the table.
    """
    images = list(dict.fromkeys(s.image for s in samples))
    flips = (False, True) if mirrored else (False,)
    rows = {(image, flip): n for n, (image, flip) in enumerate((i, f) for i in images for f in flips)}
    column = {a: k for k, a in enumerate(actions)}
    tokens = [None] * len(rows)
    gt = torch.zeros(len(rows), len(actions), GT_GRID, GT_GRID)
    visible = torch.zeros(len(rows), len(actions), dtype=torch.bool)
    for n, ((image, flip), row) in enumerate(rows.items()):
        tokens[row] = torch.from_numpy(extractor(image, flip=flip, augmented=flip and augmented).tokens)
        if (n + 1) % 500 == 0:
            log(f"features: {n + 1}/{len(rows)}")
    objects = {image: torch.from_numpy(object_heat(image, GT_GRID)) for image in images} if object_floor > 0 else {}
    for s in samples:
        heat = torch.from_numpy(s.load_gt(GT_GRID).copy())
        if object_floor > 0:
            heat = torch.maximum(heat, object_floor * objects[s.image])
        for flip in flips:
            row, k = rows[(s.image, flip)], column[s.action]
            gt[row, k] = heat.flip(-1) if flip else heat
            visible[row, k] = True
    return torch.stack(tokens), gt, visible


def train(head: LocateHead, tokens, gt, visible, *, epochs: int, batch: int, lr: float, seed: int,
          presence_weight: float = 0.0, presence_known=None, row_weight=None, log=print) -> None:
    """KL(GT || map) over every visible action of every image, plus, for a head with a presence
    layer, `presence_weight` times a binary cross-entropy on which actions are in view; AdamW, one-cycle.
    `presence_known` [I, K] limits the cross-entropy to entries whose answer is known, and
    `row_weight` [I] weighs each image's maps (both: self-training's pseudo-labelled rows)."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((len(tokens) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    for epoch in range(epochs):
        head.train()
        order = torch.randperm(len(tokens), generator=gen)
        total, pairs = 0.0, 0
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            rows, cols = visible[idx].nonzero(as_tuple=True)
            if head.presence is None:
                maps, presence = head(tokens[idx]), None
            else:
                maps, presence = head.forward_with_presence(tokens[idx])
            loss = kl_loss(maps[rows, cols], gt[idx][rows, cols], None if row_weight is None else row_weight[idx][rows])
            if presence is not None:
                known = None if presence_known is None else presence_known[idx].float()
                loss = loss + presence_weight * F.binary_cross_entropy_with_logits(presence, visible[idx].float(), weight=known)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(rows)
            pairs += len(rows)
        log(f"epoch {epoch + 1}/{epochs} kl={total / max(pairs, 1):.3f}")


def run(args: argparse.Namespace, log=print) -> dict:
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, args.threads))
    train_set, test_set = read_renders(args.train), read_renders(args.test)
    unseen = sorted(set(test_set.actions) - set(train_set.actions))
    if unseen:
        where = [str(t) for t in args.test if set(read_renders([t]).actions) & set(unseen)]
        raise LayoutError(Path(where[0]), [f"actions {unseen} have no training images"])
    extractor = FeatureExtractor(args.models, args.cache, size=args.size)
    started = time.perf_counter()
    tokens, gt, visible = per_image(train_set.train_ego, train_set.actions, extractor, mirrored=args.mirror,
                                    augmented=args.augment, object_floor=args.object_floor, log=log)
    log(f"features for {len(tokens)} rows ready in {time.perf_counter() - started:.0f} s")
    head = LocateHead(train_set.actions, extractor.backbone.cfg.embed_dim, args.hidden, exo_branch=False,
                      presence=args.presence_weight > 0)
    train(head, tokens, gt, visible, epochs=args.epochs, batch=args.batch, lr=args.lr, seed=args.seed,
          presence_weight=args.presence_weight, log=log)
    recipe = {"mode": "supervised-per-image", "train": [str(p) for p in args.train], "test": [str(p) for p in args.test],
              "images": len(tokens) // (2 if args.mirror else 1), "mirrored": args.mirror,
              "photometric_mirror": args.mirror and args.augment,
              "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
              "presence_weight": args.presence_weight, "object_floor": args.object_floor,
              "hidden_dim": args.hidden, "seed": args.seed, "data": "affordtools.render (scripts/default-head.sh)"}
    effective = export_head(head, args.out, input_size=args.size, backbone_sha256=extractor.backbone_sha256,
                            recipe=recipe, model_id=args.out.name.split(".")[0], int8=True)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, int8)")
    results = {"train_images": recipe["images"]}
    results.update(held_out_scores(head, {"head (int8 file)": effective}, test_set, train_set.actions, extractor, log=log))
    return results


def held_out_scores(head: LocateHead, files: dict[str, dict[str, np.ndarray]], test_set: Dataset, actions: list[str],
                    extractor: FeatureExtractor, log=print) -> dict:
    """AGD20K scores on `test_set` of each head file's weights in `files` (by name), of `head` in
    fp32, of a centre prior and of the saliency map; presence accuracy and AUC of the first file."""
    test = build_bank(test_set.train_ego, actions, extractor)
    candidates = {name: [head_forward_numpy(weights, t.numpy())[k] for t, k in zip(test.tokens, test.labels.tolist())]
                  for name, weights in files.items()}
    candidates.update({
        "head (fp32)": head_maps(head, test),
        "centre prior": [centre_prior()] * len(test),
        "saliency": saliency_maps(test),
    })
    results: dict = {"test_pairs": len(test), "test_images": len({s.image for s in test.samples})}
    for name, maps in candidates.items():
        total, per_action = evaluate_maps(maps, test)
        results[name] = {"KLD": total.kld, "SIM": total.sim, "NSS": total.nss,
                         "per_action": {a: {"KLD": s.kld, "SIM": s.sim, "NSS": s.nss} for a, s in per_action.items()}}
        log(f"{name:<17} KLD={total.kld:.3f} SIM={total.sim:.3f} NSS={total.nss:.3f}")
    if head.presence is not None:
        test_tokens, _, in_view = per_image(test_set.train_ego, actions, extractor, log=log)
        first = next(iter(files.values()))
        scores = np.stack([presence_numpy(first, t.numpy()) for t in test_tokens])
        results["presence"] = presence_scores(scores, in_view.numpy(), actions)
        log(f"presence: accuracy {results['presence']['accuracy']:.3f} at 0.5, "
            f"mean AUC {results['presence']['mean_auc']:.3f}")
    return results


def training_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options of any training run; `affordtools.self_train` adds its own to them."""
    ap = argparse.ArgumentParser(prog=prog, description=description.split("\n")[0])
    ap.add_argument("--train", type=Path, nargs="+", required=True, help="rendered folders to train on")
    ap.add_argument("--test", type=Path, nargs="+", required=True, help="separately seeded rendered folders")
    ap.add_argument("--out", type=Path, required=True, help="int8 head file to write")
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "affordd" / "features")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--presence-weight", type=float, default=0.5,
                    help="weight of the presence loss; 0 trains no presence layer")
    ap.add_argument("--no-mirror", dest="mirror", action="store_false", help="train on the renders as they are, no mirrored copies")
    ap.add_argument("--no-augment", dest="augment", action="store_false",
                    help="mirrored copies without the photometric draw (exposure, colour, blur, noise, JPEG)")
    ap.add_argument("--object-floor", type=float, default=0.0,
                    help="train on max(part GT, this x the whole object's map), 0-1; 0: the part alone")
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--json", type=Path, help="write the held-out scores here")
    return ap


def parser() -> argparse.ArgumentParser:
    """Training from scratch also chooses the head's width (a fine-tune keeps its teacher's)."""
    ap = training_parser("python -m affordtools.default_head", __doc__)
    ap.add_argument("--hidden", type=int, default=128)
    return ap


def main(argv: list[str] | None = None, ap: argparse.ArgumentParser | None = None, run=run) -> int:
    ap = ap or parser()
    args = ap.parse_args(argv)
    if not 0 <= args.object_floor <= 1:
        ap.error(f"--object-floor must be from 0 to 1, got {args.object_floor}")
    try:
        results = run(args)
    except (LayoutError, FileNotFoundError, ValueError) as error:
        print(f"{ap.prog.split()[-1].split('.')[-1]}: {error}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
