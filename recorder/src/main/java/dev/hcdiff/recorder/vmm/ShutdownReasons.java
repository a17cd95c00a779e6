package dev.hcdiff.recorder.vmm;

/** Xen's shutdown codes by name ({@code xen/include/public/sched.h}, {@code SHUTDOWN_*}). */
final class ShutdownReasons {

    private ShutdownReasons() {
    }

    static String name(int code) {
        return switch (code) {
            case 0 -> "poweroff";   // SHUTDOWN_poweroff
            case 1 -> "reboot";     // SHUTDOWN_reboot
            case 2 -> "suspend";    // SHUTDOWN_suspend
            case 3 -> "crash";      // SHUTDOWN_crash
            case 4 -> "watchdog";   // SHUTDOWN_watchdog
            case 5 -> "soft_reset"; // SHUTDOWN_soft_reset
            default -> "reason " + code;
        };
    }
}
