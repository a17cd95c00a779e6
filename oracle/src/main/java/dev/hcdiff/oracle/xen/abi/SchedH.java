package dev.hcdiff.oracle.xen.abi;

/** Constants of {@code xen/include/public/sched.h} (Xen 4.17.7) and the sched_op limits of Xen. */
public final class SchedH {

    private SchedH() {
    }

    /** sched.h SCHEDOP_yield. */
    public static final int SCHEDOP_yield = 0;
    /** sched.h SCHEDOP_block. */
    public static final int SCHEDOP_block = 1;
    /** sched.h SCHEDOP_shutdown. */
    public static final int SCHEDOP_shutdown = 2;
    /** sched.h SCHEDOP_poll. */
    public static final int SCHEDOP_poll = 3;
    /** sched.h SCHEDOP_remote_shutdown. */
    public static final int SCHEDOP_remote_shutdown = 4;
    /** sched.h SCHEDOP_shutdown_code. */
    public static final int SCHEDOP_shutdown_code = 5;
    /** sched.h SCHEDOP_watchdog. */
    public static final int SCHEDOP_watchdog = 6;
    /** sched.h SCHEDOP_pin_override. */
    public static final int SCHEDOP_pin_override = 7;

    /** sched.h SHUTDOWN_poweroff. */
    public static final int SHUTDOWN_poweroff = 0;
    /** sched.h SHUTDOWN_reboot. */
    public static final int SHUTDOWN_reboot = 1;
    /** sched.h SHUTDOWN_suspend. */
    public static final int SHUTDOWN_suspend = 2;
    /** sched.h SHUTDOWN_crash. */
    public static final int SHUTDOWN_crash = 3;
    /** sched.h SHUTDOWN_watchdog. */
    public static final int SHUTDOWN_watchdog = 4;
    /** sched.h SHUTDOWN_soft_reset. */
    public static final int SHUTDOWN_soft_reset = 5;
    /** sched.h SHUTDOWN_MAX (not enforced by 4.17: the reason is only truncated to u8). */
    public static final int SHUTDOWN_MAX = 5;

    /** {@code xen/common/sched/core.c do_poll()}: "Fairly arbitrary limit" on nr_ports. */
    public static final int POLL_MAX_PORTS = 128;
    /** {@code xen/include/xen/sched.h NR_DOMAIN_WATCHDOG_TIMERS}. */
    public static final int NR_DOMAIN_WATCHDOG_TIMERS = 2;

    /** The name of a SHUTDOWN_* code ({@code poweroff}, …), or its number. */
    public static String shutdownName(int reason) {
        return switch (reason) {
            case SHUTDOWN_poweroff -> "poweroff";
            case SHUTDOWN_reboot -> "reboot";
            case SHUTDOWN_suspend -> "suspend";
            case SHUTDOWN_crash -> "crash";
            case SHUTDOWN_watchdog -> "watchdog";
            case SHUTDOWN_soft_reset -> "soft_reset";
            default -> Integer.toString(reason);
        };
    }
}
