#!/usr/bin/env python3
"""Record the Gaussian draws of a point-e run, so pointe4j can replay it with --noise-from.

point-e's samplers take all their randomness from torch.randn and torch.randn_like (the initial
x_T of each stage, then one draw per Karras step, or per DDPM step). While the sampler runs, this
script puts thin wrappers around both functions that keep a copy of every tensor they return, in
call order. It writes them to an .npz as noise000, noise001, ... (float32, the layout of the
pointe4j parity fixtures), with noise_count and the final point cloud (pc_coords [N, 3] and
pc_R/pc_G/pc_B in [0, 1], as point-e's PointCloud holds them) for the comparison.

Needs point-e (github.com/openai/point-e) and its dependencies; the checkpoints are downloaded by
point-e on first use unless --cache-dir already holds them. The sampler settings are those of
point-e's example notebooks: text2pointcloud (base40M-textvec, guidance [3, 0], the upsampler
does not see the text) and image2pointcloud (base40M/300M/1B, guidance [3, 3], both stages see
the image).

    # record (Python)
    python3 tools/record_noise.py --image corgi.jpg --base base40M --out corgi-run.npz
    python3 tools/record_noise.py --prompt "a red motorcycle" --out moto-run.npz
    # replay (Java), same models, image and steps
    bin/pointe img2pc corgi.jpg --model base40M --noise-from corgi-run.npz --out corgi-java.npz
    # compare (needs only numpy)
    python3 tools/record_noise.py --compare corgi-run.npz corgi-java.npz

To find where a replay parts from the recording, --trace TRACE.npz keeps the base stage step by
step (StepTracer; pointe4j's counterpart is img2pc --trace) and stops after it; --replay RUN.npz
feeds a recording's draws back instead of drawing (the run then repeats bit for bit), and
--perturb EPS multiplies each replayed draw by (1 + EPS N(0, 1)), to see how far a rounding-sized
change carries. tools/roundtrip/official_roundtrip.py --trace-base runs all of it.
"""

import argparse
import sys

import numpy as np


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--prompt", help="text prompt (text2pointcloud pipeline)")
    what.add_argument("--image", help="image file (image2pointcloud pipeline)")
    what.add_argument("--compare", nargs=2, metavar=("RUN.npz", "JAVA.npz"),
                      help="compare a recording's cloud with a pointe4j cloud (.npz) and exit")
    p.add_argument("--base", choices=["base40M-textvec", "base40M", "base300M", "base1B"],
                   help="base model: base40M-textvec for prompts (the default); base40M (the default), "
                        "base300M or base1B for images")
    p.add_argument("--out", help="the .npz to write")
    p.add_argument("--steps", type=int, default=64, help="Karras steps of the base stage (64)")
    p.add_argument("--upsample-steps", type=int, default=64, help="Karras steps of the upsampler (64)")
    p.add_argument("--cache-dir", default=None, help="where point-e keeps its checkpoints")
    p.add_argument("--device", default="cpu", help="torch device (cpu)")
    p.add_argument("--trace", metavar="TRACE.npz",
                   help="also save the base stage step by step (see StepTracer) and stop after it")
    p.add_argument("--replay", metavar="RUN.npz",
                   help="take the Gaussian draws from a recording instead of torch.randn")
    p.add_argument("--perturb", type=float, default=0.0,
                   help="with --replay: multiply every draw by (1 + PERTURB * u), u ~ N(0, 1) seeded (0)")
    args = p.parse_args(argv)
    if args.compare is None and not args.out and not args.trace:
        p.error("--out (or --trace) is required when recording")
    if args.base is not None and (args.prompt is not None) != (args.base == "base40M-textvec"):
        p.error("--base base40M-textvec takes --prompt; base40M, base300M and base1B take --image")
    return args


class NoiseRecorder:
    """Wraps torch.randn and torch.randn_like while active and keeps every draw, in order.

    With `replay` (a list of arrays) the wrappers return those arrays in order instead of drawing,
    so a recorded run can be repeated, or repeated with slightly perturbed draws."""

    def __init__(self, torch, replay=None):
        self.torch = torch
        self.draws = []
        self.replay = replay

    def _keep(self, t):
        if self.replay is not None:
            i = len(self.draws)
            if i >= len(self.replay) or tuple(self.replay[i].shape) != tuple(t.shape):
                raise ValueError("replay: draw %d of shape %s does not match the recording" % (i, tuple(t.shape)))
            t = self.torch.from_numpy(self.replay[i].copy()).to(t.device, t.dtype)
        self.draws.append(t.detach().to("cpu", dtype=self.torch.float32).numpy().copy())
        return t

    def __enter__(self):
        self.randn, self.randn_like = self.torch.randn, self.torch.randn_like
        # point-e calls th.randn / th.randn_like through the module at each step, so replacing
        # the module attributes is enough to see every draw
        self.torch.randn = lambda *a, **kw: self._keep(self.randn(*a, **kw))
        self.torch.randn_like = lambda *a, **kw: self._keep(self.randn_like(*a, **kw))
        return self

    def __exit__(self, *exc):
        self.torch.randn, self.torch.randn_like = self.randn, self.randn_like
        return False


class StageDone(Exception):
    """Raised by StepTracer when the upsampler is about to run: the traced base stage is over."""


class StepTracer:
    """Keeps the base stage of a point-e run step by step, for a comparison with pointe4j's --trace.

    Saved (sampler space, float32): every network call of the base model, netNN_in (the scaled
    input c_in x of the doubled [cond; uncond] batch), netNN_t (the integer timesteps) and
    netNN_out (the raw output, eps and variance channels); every call of the guided denoiser in
    the Heun loop, denNN_x (x, batch rows), denNN_sigma and denNN_x0 (the guided x_0 estimate);
    stepNN_x, the x that each Heun step starts from (after churn), and final_x. The upsampler's
    first call raises StageDone, so a trace costs only the base stage."""

    def __init__(self, torch, base_model, upsampler):
        from point_e.diffusion import k_diffusion

        self.torch, self.kd = torch, k_diffusion
        self.arrays, self.nets, self.dens, self.steps = {}, 0, 0, 0
        self.hooks = [base_model.register_forward_hook(self._net),
                      upsampler.register_forward_pre_hook(self._stop)]
        self.heun = k_diffusion.sample_heun
        k_diffusion.sample_heun = self._sample_heun

    def _np(self, t):
        return t.detach().to("cpu", dtype=self.torch.float32).numpy().copy()

    def _net(self, module, args, output):
        self.arrays["net%02d_in" % self.nets] = self._np(args[0])
        self.arrays["net%02d_t" % self.nets] = args[1].detach().cpu().numpy().astype(np.int64)
        self.arrays["net%02d_out" % self.nets] = self._np(output)
        self.nets += 1

    def _stop(self, module, args):
        raise StageDone()

    def _sample_heun(self, denoiser, x, sigmas, **kw):
        def traced(x_t, sigma):
            x0 = denoiser(x_t, sigma)
            k = self.dens
            self.arrays["den%02d_x" % k] = self._np(x_t)
            self.arrays["den%02d_sigma" % k] = self._np(sigma)
            self.arrays["den%02d_x0" % k] = self._np(x0)
            self.dens += 1
            return x0

        for obj in self.heun(traced, x, sigmas, **kw):
            if "i" in obj:
                self.arrays["step%02d_x" % self.steps] = self._np(obj["x"])
                self.steps += 1
            else:
                self.arrays["final_x"] = self._np(obj["x"])
            yield obj

    def close(self):
        for h in self.hooks:
            h.remove()
        self.kd.sample_heun = self.heun


def build_sampler(args, torch):
    from point_e.diffusion.configs import DIFFUSION_CONFIGS, diffusion_from_config
    from point_e.diffusion.sampler import PointCloudSampler
    from point_e.models.configs import MODEL_CONFIGS, model_from_config
    from point_e.models.download import load_checkpoint

    device = torch.device(args.device)
    text = args.prompt is not None
    base_name = args.base or ("base40M-textvec" if text else "base40M")
    models, diffusions = [], []
    for name in (base_name, "upsample"):
        model = model_from_config(MODEL_CONFIGS[name], device)
        model.eval()
        model.load_state_dict(load_checkpoint(name, device, cache_dir=args.cache_dir))
        models.append(model)
        diffusions.append(diffusion_from_config(DIFFUSION_CONFIGS[name]))
    settings = dict(guidance_scale=[3.0, 0.0], model_kwargs_key_filter=("texts", "")) if text \
        else dict(guidance_scale=[3.0, 3.0])
    sampler = PointCloudSampler(device=device, models=models, diffusions=diffusions,
                                num_points=[1024, 4096 - 1024], aux_channels=["R", "G", "B"],
                                karras_steps=[args.steps, args.upsample_steps], **settings)
    return sampler, base_name


def record(args):
    import torch

    sampler, base_name = build_sampler(args, torch)
    if args.prompt is not None:
        model_kwargs = dict(texts=[args.prompt])
    else:
        from PIL import Image
        model_kwargs = dict(images=[Image.open(args.image)])
    replay = None
    if getattr(args, "replay", None):
        run = np.load(args.replay)
        replay = [run["noise%03d" % i] for i in range(int(run["noise_count"]))]
        if getattr(args, "perturb", 0.0):
            gen = np.random.default_rng(1)
            replay = [(d * (1 + args.perturb * gen.standard_normal(d.shape))).astype(np.float32) for d in replay]
    tracer = StepTracer(torch, sampler.models[0], sampler.models[1]) if getattr(args, "trace", None) else None
    samples = None
    try:
        with torch.no_grad(), NoiseRecorder(torch, replay) as rec:
            for samples in sampler.sample_batch_progressive(batch_size=1, model_kwargs=model_kwargs):
                pass
    except StageDone:
        pass
    finally:
        if tracer is not None:
            tracer.close()
    if tracer is not None:
        tracer.arrays.update({"noise%03d" % i: d for i, d in enumerate(rec.draws)})
        tracer.arrays["noise_count"] = np.array(len(rec.draws), dtype=np.int64)
        tracer.arrays["base_x0"] = samples.detach().cpu().numpy().astype(np.float32)
        np.savez(args.trace, **tracer.arrays)
        print("%s: base stage of %s, %d network calls, %d Gaussian draws"
              % (args.trace, base_name, tracer.nets, len(rec.draws)))
        return
    pc = sampler.output_to_point_clouds(samples)[0]
    arrays = {"noise%03d" % i: d for i, d in enumerate(rec.draws)}
    arrays["noise_count"] = np.array(len(rec.draws), dtype=np.int64)
    arrays["pc_coords"] = np.asarray(pc.coords, dtype=np.float32)
    for c in ("R", "G", "B"):
        arrays["pc_" + c] = np.asarray(pc.channels[c], dtype=np.float32)
    np.savez(args.out, **arrays)
    print("%s: %d Gaussian draws, %d points (%s + upsample, %d + %d steps)"
          % (args.out, len(rec.draws), len(pc.coords), base_name, args.steps, args.upsample_steps))


def compare(run_file, java_file):
    run, java = np.load(run_file), np.load(java_file)
    ref, got = run["pc_coords"], java["coords"]
    if ref.shape != got.shape:
        sys.exit("%s has %s points, %s has %s" % (run_file, ref.shape, java_file, got.shape))
    scale = max(1e-12, float(np.abs(ref).max()))
    print("coords: max |diff| %.3g = %.3g of the scale %.3g"
          % (np.abs(ref - got).max(), np.abs(ref - got).max() / scale, scale))
    for c in ("R", "G", "B"):
        levels = np.abs(np.round(run["pc_" + c] * 255) - np.round(java[c] * 255)).max()
        print("%s: max |diff| %d levels of 255" % (c, levels))


def main(argv):
    args = parse_args(argv)
    if args.compare is not None:
        compare(*args.compare)
    else:
        record(args)


if __name__ == "__main__":
    main(sys.argv[1:])
