package dev.hcdiff.oracle.viridian;

/**
 * {@code struct viridian_stimer}: one synthetic timer of a vCPU, its CONFIG register
 * ({@code union hv_stimer_config}: 0 enable, 1 periodic, 2 lazy, 3 auto_enable, 11:4 apic_vector,
 * 12 direct_mode, 19:16 sintx) and COUNT in 100 ns units, with the Xen timer it runs on.
 */
final class ViridianStimer {

    /** hv_stimer_config bit 0, enable. */
    static final long ENABLE = 1L;
    /** bit 1, periodic. */
    static final long PERIODIC = 1L << 1;
    /** bit 2, lazy. */
    static final long LAZY = 1L << 2;
    /** bit 3, auto_enable. */
    static final long AUTO_ENABLE = 1L << 3;
    /** bits 19:16, sintx. */
    static final int SINTX_SHIFT = 16;
    static final long SINTX_MASK = 0xfL << SINTX_SHIFT;

    long config;
    long count;
    /** Reference time (100 ns) of the next expiry. */
    long expiration;
    /** {@code vs->started}: the Xen timer is armed. */
    boolean started;
    /** The Xen timer's deadline, ns of virtual time, while started. */
    long deadlineNs;

    boolean enabled() {
        return (config & ENABLE) != 0;
    }

    boolean periodic() {
        return (config & PERIODIC) != 0;
    }

    boolean lazy() {
        return (config & LAZY) != 0;
    }

    boolean autoEnable() {
        return (config & AUTO_ENABLE) != 0;
    }

    int sintx() {
        return (int) ((config & SINTX_MASK) >>> SINTX_SHIFT);
    }
}
