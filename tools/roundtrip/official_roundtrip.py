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


def main(argv):
    args = parse_args(argv)
    models_dir = os.path.join(os.path.abspath(args.work), "models")
    tag = "%s-%d-%d" % (args.base, args.steps, args.upsample_steps)
    run_file = os.path.join(os.path.abspath(args.work), "run-%s.npz" % tag)
    java_file = os.path.join(os.path.abspath(args.work), "java-%s.npz" % tag)
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
