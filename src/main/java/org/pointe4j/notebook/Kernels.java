package org.pointe4j.notebook;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * Finds the Jupyter kernel this JVM runs in and hands it MIME bundles. rapaio-jupyter-kernel
 * (the one this project installs) is called directly; IJava and JJava, which cannot be built
 * here, through their public {@code getKernelInstance().display(DisplayData)} by reflection.
 * The kernel is recognised from the JVM's main class, so merely having a kernel jar on the
 * class path (as the tests do) changes nothing.
 */
final class Kernels {
    enum Kind { NONE, RAPAIO, IJAVA, JJAVA }

    private static volatile Kind kind;

    private Kernels() {
    }

    static Kind kind() {
        Kind k = kind;
        if (k == null) {
            // the main class or jar: the first word of the command line (arguments could say anything)
            String cmd = System.getProperty("sun.java.command", "").split(" ", 2)[0].toLowerCase(java.util.Locale.ROOT);
            String forced = System.getProperty("pointe.kernel", "");
            if (forced.equals("rapaio") || cmd.contains("rapaio")) {
                k = Kind.RAPAIO;
            } else if (forced.equals("ijava") || cmd.contains("ijava")) {
                k = Kind.IJAVA;
            } else if (forced.equals("jjava") || cmd.contains("jjava")) {
                k = Kind.JJAVA;
            } else {
                k = Kind.NONE;
            }
            kind = k;
        }
        return k;
    }

    /** True when a kernel took the bundle. */
    static boolean display(Map<String, Object> bundle) {
        try {
            switch (kind()) {
                case RAPAIO:
                    RapaioDisplay.display(bundle);
                    return true;
                case IJAVA:
                    return reflective("io.github.spencerpark.ijava.IJava", bundle);
                case JJAVA:
                    return reflective("org.dflib.jjava.JJava", bundle);
                default:
                    return false;
            }
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            System.err.println("pointe: could not display in the " + kind() + " kernel (" + e + "); showing text");
            return false;
        }
    }

    private static boolean reflective(String kernelClass, Map<String, Object> bundle) throws ReflectiveOperationException {
        Object kernel = Class.forName(kernelClass).getMethod("getKernelInstance").invoke(null);
        if (kernel == null) {
            return false;
        }
        for (Method m : kernel.getClass().getMethods()) {
            if (m.getName().equals("display") && m.getParameterCount() == 1
                    && m.getParameterTypes()[0].getSimpleName().equals("DisplayData")) {
                Class<?> ddClass = m.getParameterTypes()[0];
                Object dd = ddClass.getConstructor().newInstance();
                Method put = find(ddClass);
                for (Map.Entry<String, Object> e : bundle.entrySet()) {
                    Object type = put.getParameterTypes()[0] == String.class ? e.getKey()
                            : put.getParameterTypes()[0].getMethod("parse", String.class).invoke(null, e.getKey());
                    put.invoke(dd, type, e.getValue());
                }
                m.invoke(kernel, dd);
                return true;
            }
        }
        return false;
    }

    private static Method find(Class<?> ddClass) throws NoSuchMethodException {
        for (Method m : ddClass.getMethods()) {
            if (m.getName().equals("putData") && m.getParameterCount() == 2 && m.getParameterTypes()[1] == Object.class) {
                return m;
            }
        }
        throw new NoSuchMethodException(ddClass.getName() + ".putData(type, Object)");
    }
}
