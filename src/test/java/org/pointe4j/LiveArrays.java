package org.pointe4j;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;

import java.lang.reflect.Field;
import java.util.Map;

/** Counts the engine resources a manager holds (arrays, and those of open sub-managers), for leak tests. */
public final class LiveArrays {
    private LiveArrays() {
    }

    public static int count(NDManager m) throws ReflectiveOperationException {
        Field f = BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        int n = 0;
        for (Object o : ((Map<?, ?>) f.get(m)).values()) {
            n += o instanceof NDManager ? 1 + count((NDManager) o) : 1;
        }
        return n;
    }
}
