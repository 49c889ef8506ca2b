package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.function.BooleanSupplier;

/**
 * UniPC of Zhao et al. (2023), "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models" (arXiv:2302.04867), second order with B(h) = e^h - 1 ("bh2", the variant the
 * paper recommends for guided sampling), in the data-prediction form and the Karras
 * parametrisation of {@link DpmSolver} (alpha = 1, lambda = -log sigma, h = lambda' - lambda).
 *
 * <p>Each step has two parts and still one network evaluation:
 * <ul>
 *   <li>the predictor UniP-2 (p = 2, rho = 1/2): from x_i and the estimates D_i,
 *       D_{i-1} it proposes x_{i+1}. With bh2 and p = 2 this is exactly the DPM-Solver++(2M) update,
 *       which the tests check;</li>
 *   <li>the corrector UniC: once the network has given D_{i+1} = D(x_{i+1}), the proposal is
 *       recomputed from x_i with D_{i+1} included, x^c_{i+1} = x~ - B(h) (rho_1 D1 +
 *       rho_t (D_{i+1} - D_i)), the coefficients solving the paper's order conditions R rho = b. For
 *       equal steps this is the Adams-Moulton weighting (8 D_i + 5 D_{i+1} - D_{i-1}) / 12. The
 *       next step starts from x^c_{i+1} but reuses D_{i+1}: no extra evaluation, one order more.</li>
 * </ul>
 * The first step has no history (first-order predictor, trapezoidal corrector). The step to
 * sigma = 0 is x = D, as in {@link DpmSolver}: lambda is infinite there, and correcting the state
 * that this D was computed at would change nothing that is returned.
 */
final class UniPc {

    private UniPc() {
    }

    /** Runs UniPC-bh2 over {@code sigmas} (as from {@link KarrasSampler#sigmas}); deterministic. */
    static KarrasSampler.Result run(Denoiser d, NDArray xT, float[] sigmas, Step.Listener listener, BooleanSupplier cancelled) {
        KarrasSampler.checkSigmas(sigmas);
        NDManager outer = xT.getManager();
        int n = sigmas.length - 1;
        NDArray x = xT;       // where the network is evaluated at step i (the predictor's proposal)
        NDArray start = null; // the state step i - 1 started from (corrected)
        NDArray d1 = null;    // D at step i - 1
        NDArray d2 = null;    // D at step i - 2
        NDArray denoised = null;
        for (int i = 0; i < n; i++) {
            Cancellation.check(cancelled, "at step " + (i + 1) + " of " + n);
            float sigma = sigmas[i];
            float next = sigmas[i + 1];
            NDArray state;
            NDArray proposal;
            try (NDManager step = outer.newSubManager()) {
                for (NDArray a : new NDArray[] {x, start, d1, d2}) {
                    if (a != null) {
                        a.tempAttach(step);
                    }
                }
                denoised = d.denoise(x, sigma);
                if (denoised == x) {
                    denoised = x.duplicate(); // kept as history: must not alias a state closed below
                }
                listener.onStep(new Step(i, n, sigma, sigma, -1, x, denoised));
                if (next == 0f) {
                    state = x;
                    proposal = denoised.duplicate();
                } else {
                    state = i == 0 ? x : correct(start, d1, d2, denoised, sigmas[i - 1], sigma, i >= 2 ? sigmas[i - 2] : 0f);
                    proposal = predict(state, denoised, d1, sigma, next, i >= 1 ? sigmas[i - 1] : 0f);
                }
                // only what this step made moves to the outer manager; x and the history go back by tempAttach
                proposal.attach(outer);
                denoised.attach(outer);
                if (state != x) {
                    state.attach(outer);
                }
            }
            closeUnless(start, xT);
            closeUnless(d2, null);
            if (state != x) {
                closeUnless(x, xT);
            }
            start = state;
            d2 = d1;
            d1 = denoised;
            x = proposal;
        }
        if (start != null && start != xT) {
            start.close();
        }
        if (d2 != null) {
            d2.close();
        }
        listener.onStep(new Step(n, n, 0f, 0f, -1, x, denoised));
        return new KarrasSampler.Result(x, denoised);
    }

    private static void closeUnless(NDArray a, NDArray keep) {
        if (a != null && a != keep) {
            a.close();
        }
    }

    /**
     * UniP-2 from {@code x} at sigma with D_i = {@code d0} and D_{i-1} = {@code dPrev} (at
     * sigmaPrev): x~ - B(h) rho D1 with rho = 1/2 and D1 = (D_{i-1} - D_i) / r, r = (lambda_{i-1} -
     * lambda_i) / h, which with bh2 is the DPM-Solver++(2M) update, so that is what runs. First order
     * when there is no history.
     */
    private static NDArray predict(NDArray x, NDArray d0, NDArray dPrev, float sigma, float next, float sigmaPrev) {
        double h = Math.log(sigma) - Math.log(next);
        double hLast = dPrev == null ? Double.NaN : Math.log(sigmaPrev) - Math.log(sigma);
        return DpmSolver.odeStep(x, d0, dPrev, sigma, next, h, hLast);
    }

    /**
     * UniC: the step from {@code x} (sigma, D_i = {@code d0}, D_{i-1} = {@code dPrev}) to sigma'
     * taken again with D_{i+1} = {@code dNew} known. The coefficients solve the paper's order
     * conditions R rho = b (bh2: B(h) = e^-h - 1 in the data-prediction sign) for the nodes r_1 and 1;
     * without history rho_t = 1/2.
     */
    private static NDArray correct(NDArray x, NDArray d0, NDArray dPrev, NDArray dNew, float sigma, float next,
            float sigmaPrev) {
        double h = Math.log(sigma) - Math.log(next);
        double hh = -h;
        double b = Math.expm1(hh);
        // x~ = (sigma'/sigma) x + (1 - e^-h) D_i, the first-order step both halves start from
        NDArray out = DpmSolver.odeStep(x, d0, null, sigma, next, h, Double.NaN);
        NDArray dt = dNew.sub(d0);
        if (dPrev == null) {
            return out.sub(dt.mul((float) (b * 0.5)));
        }
        // b_k = k! (phi_k(z) - 1/k!) / B(h) with z = -h, phi_1(z) = (e^z - 1)/z, phi_2(z) = (phi_1(z) - 1)/z
        double phi1 = Math.expm1(hh) / hh - 1; // phi_1(z) - 1
        double b1 = phi1 / b;
        double phi2 = phi1 / hh - 0.5;         // phi_2(z) - 1/2
        double b2 = phi2 * 2 / b;
        double r = (Math.log(sigma) - Math.log(sigmaPrev)) / h;
        // R = [[1, 1], [r, 1]]: rho_1 + rho_t = b1, r rho_1 + rho_t = b2
        double rho1 = (b1 - b2) / (1 - r);
        double rhoT = b1 - rho1;
        NDArray d1 = dPrev.sub(d0).div((float) r);
        return out.sub(d1.mul((float) (b * rho1)).add(dt.mul((float) (b * rhoT))));
    }
}
