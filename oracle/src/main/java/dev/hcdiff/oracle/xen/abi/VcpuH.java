package dev.hcdiff.oracle.xen.abi;

/**
 * {@code xen/include/public/vcpu.h} (Xen 4.17.7): the VCPUOP_* sub-op numbers and the constants of
 * their argument structs, plus the time constants {@code xen/include/xen/time.h} defines for them.
 */
public final class VcpuH {

    private VcpuH() {
    }

    /** vcpu.h VCPUOP_initialise. */
    public static final int VCPUOP_initialise = 0;
    /** vcpu.h VCPUOP_up. */
    public static final int VCPUOP_up = 1;
    /** vcpu.h VCPUOP_down. */
    public static final int VCPUOP_down = 2;
    /** vcpu.h VCPUOP_is_up. */
    public static final int VCPUOP_is_up = 3;
    /** vcpu.h VCPUOP_get_runstate_info. */
    public static final int VCPUOP_get_runstate_info = 4;
    /** vcpu.h VCPUOP_register_runstate_memory_area. */
    public static final int VCPUOP_register_runstate_memory_area = 5;
    /** vcpu.h VCPUOP_set_periodic_timer. */
    public static final int VCPUOP_set_periodic_timer = 6;
    /** vcpu.h VCPUOP_stop_periodic_timer. */
    public static final int VCPUOP_stop_periodic_timer = 7;
    /** vcpu.h VCPUOP_set_singleshot_timer. */
    public static final int VCPUOP_set_singleshot_timer = 8;
    /** vcpu.h VCPUOP_stop_singleshot_timer. */
    public static final int VCPUOP_stop_singleshot_timer = 9;
    /** vcpu.h VCPUOP_register_vcpu_info. */
    public static final int VCPUOP_register_vcpu_info = 10;
    /** vcpu.h VCPUOP_send_nmi. */
    public static final int VCPUOP_send_nmi = 11;
    /** vcpu.h VCPUOP_get_physid. */
    public static final int VCPUOP_get_physid = 12;
    /** vcpu.h VCPUOP_register_vcpu_time_memory_area. */
    public static final int VCPUOP_register_vcpu_time_memory_area = 13;

    /**
     * vcpu.h VCPU_SSHOTTMR_future (1U &lt;&lt; 0). Ignored by 4.17.7: since commit 7b5155a79e (4.17.3)
     * a past deadline fires at once whatever the flags (xen-abi.md §9 item 9).
     */
    public static final int VCPU_SSHOTTMR_future = 1;

    /** xen/include/xen/time.h MILLISECS(1): the shortest period set_periodic_timer accepts. */
    public static final long MILLISECS_1 = 1_000_000L;
    /** xen/include/xen/time.h MILLISECS(100): where do_set_timer_op() puts a "huge" timeout. */
    public static final long MILLISECS_100 = 100_000_000L;
    /** xen/include/xen/time.h STIME_DELTA_MAX = (s_time_t)(~0ull &gt;&gt; 2): the longest period. */
    public static final long STIME_DELTA_MAX = -1L >>> 2;
    /** do_set_timer_op(): a timeout whose offset has any of bits 50..63 set is "huge" ({@code offset >> 50}). */
    public static final int HUGE_TIMEOUT_SHIFT = 50;

    /** sizeof(vcpu_info_t) (xen/include/public/xen.h): map_vcpu_info() needs offset ≤ PAGE_SIZE - 64. */
    public static final int VCPU_INFO_SIZE = 64;
    /** alignof(struct vcpu_info) natively (it holds xen_ulong_t and uint64_t fields). */
    public static final int VCPU_INFO_ALIGN_NATIVE = 8;
    /** alignof(struct compat_vcpu_info) (u32 pending_sel; compat u64 fields are 4-aligned). */
    public static final int VCPU_INFO_ALIGN_COMPAT = 4;

    /** The name of a VCPUOP_* sub-op, or {@code "VCPUOP <n>"}. */
    public static String name(int cmd) {
        return switch (cmd) {
            case VCPUOP_initialise -> "VCPUOP_initialise";
            case VCPUOP_up -> "VCPUOP_up";
            case VCPUOP_down -> "VCPUOP_down";
            case VCPUOP_is_up -> "VCPUOP_is_up";
            case VCPUOP_get_runstate_info -> "VCPUOP_get_runstate_info";
            case VCPUOP_register_runstate_memory_area -> "VCPUOP_register_runstate_memory_area";
            case VCPUOP_set_periodic_timer -> "VCPUOP_set_periodic_timer";
            case VCPUOP_stop_periodic_timer -> "VCPUOP_stop_periodic_timer";
            case VCPUOP_set_singleshot_timer -> "VCPUOP_set_singleshot_timer";
            case VCPUOP_stop_singleshot_timer -> "VCPUOP_stop_singleshot_timer";
            case VCPUOP_register_vcpu_info -> "VCPUOP_register_vcpu_info";
            case VCPUOP_send_nmi -> "VCPUOP_send_nmi";
            case VCPUOP_get_physid -> "VCPUOP_get_physid";
            case VCPUOP_register_vcpu_time_memory_area -> "VCPUOP_register_vcpu_time_memory_area";
            default -> "VCPUOP " + cmd;
        };
    }
}
