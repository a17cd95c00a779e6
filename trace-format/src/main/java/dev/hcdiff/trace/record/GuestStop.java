package dev.hcdiff.trace.record;

/**
 * The end of a recording: why the guest stopped, where, and a one-line detail. Always the last
 * record of a complete journal.
 *
 * @param vcpu   the vCPU that stopped
 * @param rip    its instruction pointer at the stop
 * @param detail one line for the user, e.g. {@code "SCHEDOP_shutdown(poweroff)"}
 */
public record GuestStop(long seq, long timeNs, StopReason reason, int vcpu, long rip, String detail)
        implements TraceRecord {

    /** Why a guest stopped. Only {@link #SHUTDOWN} is a clean end. */
    public enum StopReason {
        /** The guest asked its hypervisor to shut the domain down. */
        SHUTDOWN("shutdown"),
        /** Triple fault ({@code KVM_EXIT_SHUTDOWN}). */
        TRIPLE_FAULT("triple-fault"),
        /** The guest executed {@code vmcall}/{@code vmmcall}, which never returns on these hosts (kvm.md). */
        VMCALL("vmcall"),
        /** {@code hlt} with interrupts disabled and nothing left to wake it. */
        HALTED("halted"),
        /** No exit for longer than the watchdog allows. */
        WATCHDOG("watchdog"),
        /** Ran past its exit or time budget. */
        BUDGET("budget"),
        /** Touched guest-physical memory outside its RAM and devices. */
        BAD_ACCESS("bad-access"),
        /** KVM refused to enter or could not emulate ({@code FAIL_ENTRY}, {@code INTERNAL_ERROR}). */
        KVM_ERROR("kvm-error"),
        /** An exit the VMM does not handle. */
        UNHANDLED_EXIT("unhandled-exit");

        private final String textName;

        StopReason(String textName) {
            this.textName = textName;
        }

        public String textName() {
            return textName;
        }

        public static StopReason fromTextName(String name) {
            for (StopReason r : values()) {
                if (r.textName.equals(name)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown stop reason '" + name + "'");
        }
    }
}
