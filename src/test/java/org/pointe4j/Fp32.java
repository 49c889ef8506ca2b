package org.pointe4j;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pointe4j.nn.Precision;

/**
 * Runs a test class in fp32 and restores the precision afterwards ({@code @ExtendWith(Fp32.class)}):
 * the official runs behind the fixtures are fp32, while precision 'auto' picks bf16 on a CPU
 * with AVX512-BF16 or AMX.
 */
public final class Fp32 implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Fp32.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("before", Precision.use(Precision.FP32));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Precision.use(context.getStore(NS).get("before", Precision.class));
    }
}
