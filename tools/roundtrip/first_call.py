#!/usr/bin/env python3
"""One network call of an image base model in point-e and in pointe4j, on the same random weights.

A full round trip at base1B size takes hours on a small CPU; this checks the part that depends on
the model size, the transformer itself: point-e's model(x, t, embeddings=grid) once, batch 1,
against `bin/pointe forward` on the same checkpoint, inputs and CLIP grid, both in float32.
Run official_roundtrip.py --weights-only first (it writes WORK/models).

    PYTHONPATH=/tmp/point-e:/tmp/CLIP /usr/bin/python3 tools/roundtrip/first_call.py \
        --base base1B --work /tmp/roundtrip
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import official_roundtrip as rt  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", default="base40M", choices=["base40M", "base300M", "base1B"])
    p.add_argument("--work", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pointe", default=os.path.join(rt.REPO, "bin", "pointe"))
    args = p.parse_args(argv)
    import torch
    from point_e.models.configs import MODEL_CONFIGS, model_from_config

    torch.set_grad_enabled(False)
    work = os.path.abspath(args.work)
    models_dir = os.path.join(work, "models")
    rt.patch_clip_load(os.path.join(models_dir, rt.CLIP_FILE))
    ckpt = os.path.join(models_dir, rt.FILES[args.base])
    gen = torch.Generator().manual_seed(args.seed)
    x = torch.randn((1, 6, 1024), generator=gen) * 3.0
    t = torch.tensor([431.7])  # a fractional timestep, as the Karras samplers pass
    grid = torch.randn((1, 1024, 256), generator=gen) * 2.0
    inputs = os.path.join(work, "first-call-in-%s.npz" % args.base)
    np.savez(inputs, x=x.numpy(), t=t.numpy().astype(np.float32), kw_embeddings=grid.numpy())
    model = model_from_config(MODEL_CONFIGS[args.base], torch.device("cpu"))
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model.eval()
    t0 = time.time()
    ref = model(x, t, embeddings=grid).numpy()
    print("python forward: %.1f s" % (time.time() - t0), flush=True)
    del model
    out = os.path.join(work, "first-call-%s.npz" % args.base)
    env = dict(os.environ, POINTE_MODELS_DIR=models_dir,
               POINTE_JAVA_OPTS=(os.environ.get("POINTE_JAVA_OPTS", "") + " -Dpointe.precision=fp32").strip())
    t0 = time.time()
    subprocess.run([args.pointe, "forward", "--checkpoint", ckpt, "--model", args.base, "--inputs", inputs,
                    "--out", out], env=env, check=True)
    print("java forward (with loading): %.1f s" % (time.time() - t0), flush=True)
    got = np.load(out)["out"]
    scale = float(np.abs(ref).max())
    d = float(np.abs(ref - got).max())
    print("%s first call: output %s, max |diff| %.3g = %.3g of the scale %.3g"
          % (args.base, ref.shape, d, d / scale, scale))


if __name__ == "__main__":
    main(sys.argv[1:])
