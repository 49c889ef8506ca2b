package org.pointe4j.diffusion;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Stops a sampling loop between steps: when the thread is interrupted (a notebook's interrupt
 * button, {@code Future.cancel(true)}) or a user flag says so. Work stops promptly, the kernel and
 * the loaded models stay usable.
 */
public final class Cancellation {
    private Cancellation() {
    }

    /** Never cancels except by thread interrupt. */
    public static final BooleanSupplier NEVER = () -> false;

    /** Throws {@link CancellationException} when cancelled; clears the interrupt flag it consumed. */
    public static void check(BooleanSupplier flag, String where) {
        if (Thread.interrupted() || flag.getAsBoolean()) {
            throw new CancellationException("sampling cancelled " + where);
        }
    }
}
