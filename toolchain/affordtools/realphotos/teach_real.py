"""Teaching "hold" on the real-photo development set, leave-out per category (issue 13).

    python -m affordtools.realphotos.teach_real --photos ../shared/real-photos
        [--affordd .build/release/affordd] [--shots 1 2] [--action hold]

For every category with at least three photos (forks, pens, plates, screwdrivers, spoons), each
photo in turn (1-shot), or each photo with the next one (2-shot), is taught to the daemon from
its annotated parts (`affordd eval --teach`, the `teach` op's code path); the category's other
photos are scored with the AGD20K protocol, against the shipped head on the same photos. The
taught name replaces the head's action of the same name. Prints a table and a JSON line last.
Like `eval_real`, this is a measurement: without the photos it says so and exits 2.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .annotations import ANNOTATIONS, AnnotationError, PhotosUnavailable, check_photos, gt_maps, load
from .eval_real import REPO, object_folder, write_testset


def rings(photo, action: str) -> list[list[list[float]]]:
    """Every ring (outlines and holes, filled even-odd) of the photo's parts that afford `action`."""
    parts = [p for o in photo.objects for p in o.parts if action in p.actions]
    return [ring.tolist() for part in parts for ring in (*part.region.polygons, *part.region.holes)]


def affordd_eval(affordd: Path, testset: Path, *flags: str) -> dict:
    done = subprocess.run([str(affordd.resolve()), "eval", "--testset", str(testset), *flags], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"affordd eval {' '.join(flags)} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def weighted(runs: list[dict]) -> dict:
    count = sum(r["count"] for r in runs)
    return {k: sum(r[k] * r["count"] for r in runs) / count for k in ("KLD", "SIM", "NSS")} | {"maps": count}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m affordtools.realphotos.teach_real", description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=Path, default=REPO.parent / "shared" / "real-photos")
    ap.add_argument("--affordd", type=Path, default=REPO / ".build" / "release" / "affordd")
    ap.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    ap.add_argument("--action", default="hold")
    ap.add_argument("--shots", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--flags", nargs="*", default=[], help="extra affordd eval flags for both rows, e.g. --no-zoom")
    args = ap.parse_args(argv)
    try:
        photos = load(args.annotations)
        check_photos(photos, args.photos)
    except PhotosUnavailable as e:
        print(f"teach-real: {e}; point --photos at the development set's photos", file=sys.stderr)
        return 2
    except AnnotationError as e:
        print(f"teach-real: {e}", file=sys.stderr)
        return 1
    by_category: dict[str, list] = {}
    for photo in photos:
        if args.action in photo.actions:
            by_category.setdefault(object_folder(photo), []).append(photo)
    categories = {name: group for name, group in sorted(by_category.items()) if len(group) >= 3}
    results: dict = {"action": args.action, "categories": {name: len(group) for name, group in categories.items()}}
    with tempfile.TemporaryDirectory(prefix="teach-real-") as tmp:
        work = Path(tmp)
        for shots in args.shots:
            taught_runs, shipped_runs, per_category = [], [], {}
            for name, group in categories.items():
                taught_here, shipped_here = [], []
                for start in range(len(group)):
                    taught = [group[(start + k) % len(group)] for k in range(shots)]
                    scored = [p for p in group if p not in taught]
                    run = work / f"{shots}-{name}-{start}"
                    gts = {p.file: {args.action: gt_maps(p)[args.action]} for p in scored}
                    write_testset(scored, gts, args.photos, run / "testset")
                    images = []
                    for photo in taught:
                        (run / photo.file).symlink_to((args.photos / photo.file).resolve())
                        images.append({"file": photo.file,
                                       "annotations": [{"action": args.action, "polygons": rings(photo, args.action)}]})
                    (run / "exemplars.json").write_text(json.dumps({"images": images}))
                    taught_here.append(affordd_eval(args.affordd, run / "testset", "--teach", str(run / "exemplars.json"),
                                                    *args.flags))
                    shipped_here.append(affordd_eval(args.affordd, run / "testset", *args.flags))
                per_category[name] = {"taught": weighted(taught_here), "shipped head": weighted(shipped_here)}
                taught_runs += taught_here
                shipped_runs += shipped_here
            results[f"{shots}-shot"] = {"taught": weighted(taught_runs), "shipped head": weighted(shipped_runs),
                                        "per_category": per_category}

    print(f"Teaching '{args.action}' on the real-photo development set, leave-out per category "
          f"({', '.join(f'{k} {v}' for k, v in results['categories'].items())}) {' '.join(args.flags)}")
    print(f"{'':28} {'KLD↓':>7} {'SIM↑':>7} {'NSS↑':>7} {'maps':>5}")
    for shots in args.shots:
        block = results[f"{shots}-shot"]
        for row in ("taught", "shipped head"):
            s = block[row]
            print(f"{f'{shots}-shot, {row}':28} {s['KLD']:7.3f} {s['SIM']:7.3f} {s['NSS']:7.3f} {s['maps']:5d}")
        for name, rows in block["per_category"].items():
            t, h = rows["taught"], rows["shipped head"]
            print(f"  {name:26} taught {t['KLD']:.3f} / {t['SIM']:.3f}, head {h['KLD']:.3f} / {h['SIM']:.3f}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
