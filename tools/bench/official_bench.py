"""Times the official point-e code the way `bin/pointe bench` times pointe4j, for a side-by-side table.

Needs a Python environment with torch and point-e (pip install git+https://github.com/openai/point-e)
and, for the end-to-end rows, the official weights in point-e's cache (it downloads them itself the
first time). Run with the same thread count as the Java side, e.g.

    python3 tools/bench/official_bench.py --threads 2 --pipeline text
    bin/pointe bench --pipeline text           # POINTE_JAVA_OPTS=-Dai.djl.pytorch.num_threads=2

Prints one row per model forward (median of --repeat runs after a warm-up, random inputs; the base
models at batch 2, guidance's doubled batch; the upsampler at --upsample-batch, 1 for the text
pipeline's unguided upsampler, 2 for the image pipeline's guided one) and, with
--pipeline, the per-stage and total time of one default sample (64 + 64 Karras Heun steps, guidance 3),
plus the peak resident memory of the process.
"""
import argparse
import resource
import statistics
import time

import torch
from point_e.diffusion.configs import DIFFUSION_CONFIGS, diffusion_from_config
from point_e.diffusion.sampler import PointCloudSampler
from point_e.models.configs import MODEL_CONFIGS, model_from_config
from point_e.models.download import load_checkpoint


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def forward_row(name, batch, repeat, device):
    model = model_from_config(MODEL_CONFIGS[name], device).eval()
    n_ctx = model.n_ctx
    x = torch.randn(batch, model.input_channels, n_ctx)
    t = torch.full((batch,), 500, dtype=torch.long)
    kw = {}
    if "upsample" in name:
        kw["low_res"] = torch.randn(batch, 6, 1024)
    elif name == "base40M-textvec":
        kw["embeddings"] = torch.randn(batch, 768)
    elif name in ("base40M", "base300M", "base1B"):
        kw["embeddings"] = torch.randn(batch, 1024, 256)
    times = []
    with torch.no_grad():
        model(x, t, **kw)
        for _ in range(repeat):
            start = time.perf_counter()
            model(x, t, **kw)
            times.append((time.perf_counter() - start) * 1000)
    print(f"fp32  {name:<16} {batch:5d} {statistics.median(times):12.0f} {min(times):12.0f} {peak_mb():14.0f}")


def pipeline_rows(pipeline, steps, device):
    base_name = "base40M-textvec" if pipeline == "text" else "base40M"
    start = time.perf_counter()
    base = model_from_config(MODEL_CONFIGS[base_name], device).eval()
    base.load_state_dict(load_checkpoint(base_name, device))
    up = model_from_config(MODEL_CONFIGS["upsample"], device).eval()
    up.load_state_dict(load_checkpoint("upsample", device))
    sampler = PointCloudSampler(
        device=device,
        models=[base, up],
        diffusions=[diffusion_from_config(DIFFUSION_CONFIGS[base_name]), diffusion_from_config(DIFFUSION_CONFIGS["upsample"])],
        num_points=[1024, 4096 - 1024],
        aux_channels=["R", "G", "B"],
        guidance_scale=[3.0, 0.0 if pipeline == "text" else 3.0],
        karras_steps=[steps, steps],
        model_kwargs_key_filter=("texts", "") if pipeline == "text" else ("*",),
    )
    if pipeline == "text":
        kwargs = dict(texts=["a red motorcycle"])
    else:
        from PIL import Image
        kwargs = dict(images=[Image.new("RGB", (64, 64))])
    torch.manual_seed(0)
    sample_start = time.perf_counter()
    base_end = None
    stage_points = 1024
    for x in sampler.sample_batch_progressive(batch_size=1, model_kwargs=kwargs):
        if base_end is None and x.shape[-1] > stage_points:
            base_end = time.perf_counter()
    end = time.perf_counter()
    print(f"fp32  sample base ({steps} Heun steps)          {(base_end - sample_start) * 1000:12.0f} {peak_mb():14.0f}")
    print(f"fp32  sample upsample ({steps} Heun)            {(end - base_end) * 1000:12.0f} {peak_mb():14.0f}")
    print(f"fp32  {pipeline} to cloud, end to end                {(end - start) * 1000:12.0f} {peak_mb():14.0f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--models", default="base40M,base40M-textvec,upsample")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pipeline", choices=["text", "image"])
    p.add_argument("--steps", type=int, default=64)
    p.add_argument("--clip-file", help="CLIP ViT-L/14 weights to load instead of clip.load's download (offline:"
                   " the random file tools/roundtrip/official_roundtrip.py --weights-only writes)")
    p.add_argument("--upsample-batch", type=int, default=1,
                   help="batch of the upsample forward row: 2 is the guided upsampler of image2pointcloud")
    a = p.parse_args()
    if a.clip_file:
        import os
        import sys
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "roundtrip"))
        from official_roundtrip import patch_clip_load
        patch_clip_load(a.clip_file)
    torch.set_num_threads(a.threads)
    device = torch.device("cpu")
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"{'PREC':<5} {'MODEL':<16} {'BATCH':>5} {'FORWARD ms':>12} {'MIN ms':>12} {'PEAK RSS MB':>14}")
    for name in a.models.split(","):
        if name:
            forward_row(name, a.upsample_batch if "upsample" in name else 2, a.repeat, device)
    if a.pipeline:
        pipeline_rows(a.pipeline, a.steps, device)


if __name__ == "__main__":
    main()
