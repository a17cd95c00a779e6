package dev.hcdiff.recorder;

import dev.hcdiff.trace.record.GuestStop;

/**
 * When a recorded run counts as a clean end of the guest (what {@code hcdiff record} exits 0 for):
 * <ul>
 *   <li>the guest asked its hypervisor to shut the domain down ({@link GuestStop.StopReason#SHUTDOWN}:
 *       a Xen guest's SCHEDOP_shutdown), or</li>
 *   <li>it halted with interrupts off right after printing {@link #DONE_LINE} as its last console
 *       line. A Hyper-V guest has no shutdown hypercall (its power-off is ACPI or the VMBus
 *       shutdown integration component, hyperv-abi.md §8a), so the guest kit's Hyper-V guests say
 *       they are done and {@code cli; hlt}.</li>
 * </ul>
 * Anything else (a halt without the line, a triple fault, the watchdog, a crash report followed
 * by a halt) is not clean.
 */
public final class CleanEnd {

    private CleanEnd() {
    }

    /** The console line a kit guest prints last when it finished its work (recorder/guests/hv-hello.c). */
    public static final String DONE_LINE = "hcdiff-guest: done";

    /**
     * @param stop            the recording's last record
     * @param lastConsoleLine the last line the guest printed, null for none
     */
    public static boolean isClean(GuestStop stop, String lastConsoleLine) {
        return switch (stop.reason()) {
            case SHUTDOWN -> true;
            case HALTED -> stop.detail().equals(HALT_WITH_INTERRUPTS_OFF) && DONE_LINE.equals(lastConsoleLine);
            default -> false;
        };
    }

    /** The stop detail of {@code hlt} with RFLAGS.IF = 0 (HltExits). */
    public static final String HALT_WITH_INTERRUPTS_OFF = "hlt with interrupts off";
}
