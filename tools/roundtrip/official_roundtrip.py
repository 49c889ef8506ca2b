#!/usr/bin/env python3
"""Round trip against point-e itself: random official-size weights, one Python run, one Java replay.

The official checkpoints are large and not always at hand, yet a replay should still be checked
against point-e's own code at the official sizes. This script therefore:

  1. makes seeded random weights for CLIP ViT-L/14, the chosen image base model (base40M,
     base300M or base1B) and the upsampler, at point-e's sizes and in point-e's checkpoint format
     (state dicts named as the official files, CLIP with float16 matrices as build_model keeps them),
     in one folder that serves as point-e's cache_dir and as pointe4j's POINTE_MODELS_DIR;
  2. runs point-e's image2pointcloud sampler on those weights (guidance [3, 3], key filter '*',
     the example's settings with --steps/--upsample-steps Karras steps) while
     tools/record_noise.py's recorder keeps every Gaussian draw;
  3. replays the draws with `bin/pointe img2pc IMAGE --model BASE --noise-from RUN.npz` on the same
     weights, steps and image;
  4. prints the largest coordinate difference relative to the cloud's scale and the largest colour
     difference in levels of 255 (the bounds of issue 16: 1e-3 and 1 level).

Needs torch and PIL for /usr/bin/python3, and point-e and openai/CLIP on PYTHONPATH (no download
happens: clip.load is pointed at the random file). Example (see README, "Reproducing a Python run"):

    PYTHONPATH=/tmp/point-e:/tmp/CLIP /usr/bin/python3 tools/roundtrip/official_roundtrip.py \
        --image /tmp/point-e/point_e/examples/example_data/corgi.jpg --base base40M \
        --steps 4 --upsample-steps 4 --work /tmp/roundtrip

With --trace-base (after a round trip, whose recording it reuses) both sides run the base stage
again on the recorded draws with a step-by-step trace (record_noise.py --trace, img2pc --trace
--trace-stages 1) and the script prints, for every network call and step, how far they are apart
(tools/roundtrip/RESULTS.md shows such a table); --perturb 1e-7 adds a second point-e run on draws
changed by 1e-7 relative, the yardstick for what rounding alone does.
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import record_noise  # noqa: E402  (tools/record_noise.py: the recorder and the comparison)

# file names as point-e downloads them (and as pointe4j's catalog expects them)
FILES = {"base40M": "base_40m.pt", "base300M": "base_300m.pt", "base1B": "base_1b.pt",
         "upsample": "upsample_40m.pt"}
CLIP_FILE = "ViT-L-14.pt"
# ViT-L/14 as clip.model.build_model reads it from the official checkpoint
VIT_L14 = dict(embed_dim=768, image_resolution=224, vision_layers=24, vision_width=1024,
               vision_patch_size=14, context_length=77, vocab_size=49408, transformer_width=768,
               transformer_heads=12, transformer_layers=12)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--image", required=True, help="the image (point-e's example: corgi.jpg)")
    p.add_argument("--base", default="base40M", choices=["base40M", "base300M", "base1B"])
    p.add_argument("--steps", type=int, default=4, help="Karras steps of the base stage (4)")
    p.add_argument("--upsample-steps", type=int, default=4, help="Karras steps of the upsampler (4)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random weights (0)")
    p.add_argument("--work", required=True, help="folder for the weights (models/) and the clouds")
    p.add_argument("--pointe", default=os.path.join(REPO, "bin", "pointe"), help="the pointe4j launcher")
    p.add_argument("--skip-python", action="store_true", help="reuse an existing recording")
    p.add_argument("--skip-java", action="store_true", help="only make the weights and record")
    p.add_argument("--weights-only", action="store_true", help="only make the random weights")
    p.add_argument("--trace-base", action="store_true",
                   help="instead of the round trip: trace the base stage on both sides step by step, replaying "
                        "the draws of the round trip's recording (run-BASE-STEPS-UPSTEPS.npz) if there is one, "
                        "and print where they part")
    p.add_argument("--perturb", type=float, default=0.0,
                   help="with --trace-base: also trace point-e once more with every draw multiplied by "
                        "(1 + PERTURB * N(0, 1)), e.g. 1e-7, to show how far rounding-sized changes carry")
    return p.parse_args(argv)


def randomize_zeros(model, torch, seed):
    """Gives zero-initialised tensors (point-e's output projections, biases) random values.

    point-e zeroes the output projection at init, so an untouched random model would predict
    zero noise and the round trip would compare nothing but the sampler arithmetic."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point() and not t.any():
                t.copy_(torch.randn(t.shape, generator=gen) * 0.02)


def make_weights(args, torch, models_dir):
    """Writes the random CLIP, base and upsampler checkpoints unless they already exist."""
    import clip.model
    from point_e.models.configs import MODEL_CONFIGS, model_from_config

    os.makedirs(models_dir, exist_ok=True)
    clip_path = os.path.join(models_dir, CLIP_FILE)
    if not os.path.exists(clip_path):
        torch.manual_seed(args.seed)
        model = clip.model.CLIP(**VIT_L14)  # initialize_parameters: CLIP's own random init
        clip.model.convert_weights(model)  # float16 matrices, as in the official file
        sd = model.state_dict()
        for k, v in (("input_resolution", 224), ("context_length", 77), ("vocab_size", 49408)):
            sd[k] = torch.tensor(v)
        torch.save(sd, clip_path + ".tmp")
        os.replace(clip_path + ".tmp", clip_path)
        print("wrote", clip_path, flush=True)
    patch_clip_load(clip_path)
    for i, name in enumerate((args.base, "upsample")):
        path = os.path.join(models_dir, FILES[name])
        if os.path.exists(path):
            continue
        torch.manual_seed(args.seed + 1 + i)
        model = model_from_config(MODEL_CONFIGS[name], torch.device("cpu"))
        randomize_zeros(model, torch, args.seed + 100 + i)
        torch.save(model.state_dict(), path + ".tmp")
        os.replace(path + ".tmp", path)
        print("wrote", path, flush=True)
        del model


def patch_clip_load(clip_path):
    """point-e's ImageCLIP calls clip.load("ViT-L/14"), which would download and check the
    official file; load the random one instead, exactly as clip.load(jit=False) on a CPU does."""
    import clip
    import torch
    from clip.clip import _transform
    from clip.model import build_model

    if getattr(clip.load, "_roundtrip", False):
        return

    def load(name, device="cpu", jit=False, download_root=None):
        # the body of clip.load(jit=False) for a state dict (clip.load itself first tries
        # torch.jit.load on the same handle and then cannot re-read a plain torch.save file)
        model = build_model(torch.load(clip_path, map_location="cpu")).to(device)
        if str(device) == "cpu":
            model.float()
        return model, _transform(model.visual.input_resolution)

    load._roundtrip = True
    clip.load = load


def record(args, torch, models_dir, run_file):
    ns = argparse.Namespace(prompt=None, image=args.image, base=args.base, steps=args.steps,
                            upsample_steps=args.upsample_steps, cache_dir=models_dir, device="cpu",
                            out=run_file)
    t0 = time.time()
    record_noise.record(ns)
    print("python: %.1f s" % (time.time() - t0), flush=True)


def replay(args, models_dir, run_file, java_file):
    env = dict(os.environ, POINTE_MODELS_DIR=models_dir)
    cmd = [args.pointe, "img2pc", args.image, "--model", args.base, "--steps", str(args.steps),
           "--upsample-steps", str(args.upsample_steps), "--noise-from", run_file, "--out", java_file]
    print("$ POINTE_MODELS_DIR=%s %s" % (models_dir, " ".join(cmd)), flush=True)
    t0 = time.time()
    subprocess.run(cmd, env=env, check=True)
    print("java: %.1f s" % (time.time() - t0), flush=True)


def trace_base(args, models_dir, run_file, tag):
    """Traces the base stage of the recorded run in point-e and in pointe4j and compares them."""
    import torch

    torch.set_grad_enabled(False)
    work = os.path.abspath(args.work)
    py_file = os.path.join(work, "trace-py-%s.npz" % tag)
    java_file = os.path.join(work, "trace-java-%s.npz" % tag)
    # without a round trip's recording the trace draws afresh and keeps its draws for the replay
    replay = run_file if os.path.exists(run_file) else None
    ns = argparse.Namespace(prompt=None, image=args.image, base=args.base, steps=args.steps,
                            upsample_steps=args.upsample_steps, cache_dir=models_dir, device="cpu",
                            out=None, trace=py_file, replay=replay, perturb=0.0)
    patch_clip_load(os.path.join(models_dir, CLIP_FILE))
    others = []
    if not args.skip_python:
        t0 = time.time()
        record_noise.record(ns)
        print("python trace: %.1f s" % (time.time() - t0), flush=True)
        if args.perturb:
            ns.trace = os.path.join(work, "trace-py-%s-perturbed.npz" % tag)
            ns.replay = replay or py_file
            ns.perturb = args.perturb
            record_noise.record(ns)
            others.append(("point-e, draws x (1 + %g N(0,1))" % args.perturb, ns.trace))
    if not args.skip_java:
        env = dict(os.environ, POINTE_MODELS_DIR=models_dir)
        cmd = [args.pointe, "img2pc", args.image, "--model", args.base, "--steps", str(args.steps),
               "--upsample-steps", str(args.upsample_steps), "--noise-from", replay or py_file,
               "--trace", java_file, "--trace-stages", "1", "--out", os.path.join(work, "unused.npz")]
        print("$ POINTE_MODELS_DIR=%s %s" % (models_dir, " ".join(cmd)), flush=True)
        t0 = time.time()
        subprocess.run(cmd, env=env, check=True)
        print("java trace: %.1f s" % (time.time() - t0), flush=True)
    compare_traces(py_file, [("pointe4j", java_file)] + others)


SCALES = np.asarray([2.0, 2.0, 2.0, 0.007843137255, 0.007843137255, 0.007843137255], dtype=np.float32)[None, :, None]
BIASES = np.asarray([0, 0, 0, -1, -1, -1], dtype=np.float32)[None, :, None]


def _sampler_space(x):
    """Undoes point-e's unscale_channels (what both samplers report is in data space)."""
    return x.astype(np.float32) * SCALES + BIASES


def compare_traces(py_file, others):
    """Prints, per network call and per step, the largest difference over all points and on the
    two points that end up furthest apart, all in the sampler's space (xyz twice the data
    coordinates, colours in [-1, 1]). A point value marked * had a coordinate of the denoiser's
    input outside [-1, 1] at that call in point-e's run, where clip_denoised clamps the x_0
    estimate: the next Heun correction then divides the difference of that input by the next sigma."""
    py = np.load(py_file)
    base_x0 = py["base_x0"][0]  # [6, 1024], data space
    scale = float(np.abs(base_x0[:3]).max())
    for label, f in others:
        other = np.load(f)
        java = "s0_final_x0" in other
        final = other["s0_final_x0"][0] if java else other["base_x0"][0]
        per_point = np.abs(final[:3] - base_x0[:3]).max(0) / scale
        worst = [int(i) for i in np.argsort(-per_point)[:4]]
        print("\n%s vs point-e (%s): base x_0 max %.3g of the scale %.3g; %d of %d points above 1e-3, %d above 1e-4;"
              " worst points %s (%s)" % (label, os.path.basename(f), per_point.max(), scale,
                                        (per_point > 1e-3).sum(), per_point.size, (per_point > 1e-4).sum(),
                                        worst, ", ".join("%.2g" % per_point[i] for i in worst)))
        pick = worst[:2]
        print("%-9s %-5s %-9s %-11s %-11s %s" % ("", "t", "sigma", "max all", "median", "  ".join(
            "point %-4d" % i for i in pick)))

        def row(name, a, b, t="", sigma="", outside=None):
            d = np.abs(a.astype(np.float64) - b.astype(np.float64))
            d = d.reshape(d.shape[0], d.shape[1], -1)  # [rows, channels, points]
            per = d.max(axis=(0, 1))
            marks = ["*" if outside is not None and outside[i] else " " for i in pick]
            print("%-9s %-5s %-9s %-11.3g %-11.3g %s" % (name, t, sigma, d.max(), np.median(per),
                                                        "  ".join("%-9.3g%s" % (per[i], m) for i, m in zip(pick, marks))))

        k = 0
        while "net%02d_in" % k in py and ("s0_net%02d_in" % k in other or "net%02d_in" % k in other):
            pre = "s0_" if java else ""
            t = py["net%02d_t" % k]
            if not np.array_equal(t.astype(np.float64), other[pre + "net%02d_t" % k].astype(np.float64).reshape(t.shape)):
                print("call %d: TIMESTEPS DIFFER: %s vs %s" % (k, t, other[pre + "net%02d_t" % k]))
            outside = (np.abs(py["den%02d_x" % k][0, :3]) > 1).any(0)
            sigma = "%.4g" % py["den%02d_sigma" % k][0]
            row("in %d" % k, py["net%02d_in" % k], other[pre + "net%02d_in" % k], str(int(t[0])), sigma, outside)
            row("out %d" % k, py["net%02d_out" % k], other[pre + "net%02d_out" % k])
            k += 1
        s = 0
        while "step%02d_x" % s in py:
            row("x %d" % s, py["step%02d_x" % s],
                _sampler_space(other["s0_step%02d_x" % s]) if java else other["step%02d_x" % s])
            s += 1
        row("final x", py["final_x"], _sampler_space(other["s0_final_x"]) if java else other["final_x"])
        row("final x0", _sampler_space(py["base_x0"]), _sampler_space(other["s0_final_x0"] if java else other["base_x0"]))


def main(argv):
    args = parse_args(argv)
    models_dir = os.path.join(os.path.abspath(args.work), "models")
    tag = "%s-%d-%d" % (args.base, args.steps, args.upsample_steps)
    run_file = os.path.join(os.path.abspath(args.work), "run-%s.npz" % tag)
    java_file = os.path.join(os.path.abspath(args.work), "java-%s.npz" % tag)
    if args.trace_base:
        trace_base(args, models_dir, run_file, tag)
        return
    if not args.skip_python:
        import torch

        torch.set_grad_enabled(False)
        make_weights(args, torch, models_dir)
        if args.weights_only:
            return
        record(args, torch, models_dir, run_file)
    if not args.skip_java:
        replay(args, models_dir, run_file, java_file)
        record_noise.compare(run_file, java_file)


if __name__ == "__main__":
    main(sys.argv[1:])
