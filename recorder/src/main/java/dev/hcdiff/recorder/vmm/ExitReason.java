package dev.hcdiff.recorder.vmm;

/**
 * The {@code KVM_EXIT_*} reasons the run loop tells apart ({@code <linux/kvm.h>}); every other
 * code is {@link #OTHER} and stops the guest as an unhandled exit, never ignored (style.md §1.3).
 */
public enum ExitReason {
    /** {@code KVM_EXIT_IO} 2: port I/O, including the hypercall transport port. */
    IO(2),
    /** {@code KVM_EXIT_DEBUG} 4: a guest-debug event (not enabled by the recorder yet). */
    DEBUG(4),
    /** {@code KVM_EXIT_HLT} 5. */
    HLT(5),
    /** {@code KVM_EXIT_MMIO} 6: an access to guest-physical memory no slot backs. */
    MMIO(6),
    /** {@code KVM_EXIT_IRQ_WINDOW_OPEN} 7: the guest can take the interrupt request_interrupt_window waited for. */
    IRQ_WINDOW_OPEN(7),
    /** {@code KVM_EXIT_SHUTDOWN} 8: triple fault. */
    SHUTDOWN(8),
    /** {@code KVM_EXIT_FAIL_ENTRY} 9: the CPU refused to enter the guest. */
    FAIL_ENTRY(9),
    /** {@code KVM_EXIT_INTR} 10: a signal interrupted KVM_RUN. */
    INTR(10),
    /** {@code KVM_EXIT_INTERNAL_ERROR} 17: e.g. an emulation failure ({@code int3} on these hosts, kvm.md). */
    INTERNAL_ERROR(17),
    /** {@code KVM_EXIT_SYSTEM_EVENT} 24: reset, shutdown or crash requested through KVM. */
    SYSTEM_EVENT(24),
    /** {@code KVM_EXIT_X86_RDMSR} 29. */
    X86_RDMSR(29),
    /** {@code KVM_EXIT_X86_WRMSR} 30. */
    X86_WRMSR(30),
    /** Any other exit code. */
    OTHER(-1);

    private final int code;

    ExitReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    private static final ExitReason[] BY_CODE = new ExitReason[64];

    static {
        for (ExitReason r : values()) {
            if (r.code >= 0) {
                BY_CODE[r.code] = r;
            }
        }
    }

    /** The reason for a kvm_run exit code; {@link #OTHER} when not listed. Allocation-free. */
    public static ExitReason of(int code) {
        ExitReason r = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        return r == null ? OTHER : r;
    }
}
