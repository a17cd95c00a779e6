package dev.hcdiff.recorder.vmm;

import dev.hcdiff.trace.record.GuestStop.StopReason;

/**
 * Why a vCPU stopped: a guest event, not an exception (style.md §1.2). Each variant maps to the
 * journal's {@link StopReason} and a one-line detail.
 */
public sealed interface VcpuStop {

    /** Where the vCPU was: its RIP at the stop. */
    long rip();

    StopReason reason();

    /** One line for the user. */
    String detail();

    /** The backend shut the domain down (Xen {@code SCHEDOP_shutdown}, observation.shutdown() ≥ 0). */
    record Shutdown(long rip, int code, String detail) implements VcpuStop {
        public StopReason reason() { return StopReason.SHUTDOWN; }
    }

    /** {@code KVM_EXIT_SHUTDOWN}: the CPU triple-faulted. */
    record TripleFault(long rip) implements VcpuStop {
        public StopReason reason() { return StopReason.TRIPLE_FAULT; }
        public String detail() { return "triple fault (KVM_EXIT_SHUTDOWN)"; }
    }

    /** The guest executed {@code vmcall}/{@code vmmcall} itself; it never returns on these hosts (kvm.md). */
    record Vmcall(long rip, String instruction) implements VcpuStop {
        public StopReason reason() { return StopReason.VMCALL; }
        public String detail() {
            return instruction + " executed directly at 0x" + Long.toHexString(rip)
                    + " (it never returns on this host; call the hypercall page instead)";
        }
    }

    /** {@code hlt} or a blocking call with nothing that could wake the vCPU. */
    record Halted(long rip, String detail) implements VcpuStop {
        public StopReason reason() { return StopReason.HALTED; }
    }

    /** No exit for longer than the watchdog allows. */
    record Watchdog(long rip, long millis) implements VcpuStop {
        public StopReason reason() { return StopReason.WATCHDOG; }
        public String detail() { return "no exit for " + millis + " ms"; }
    }

    /** Ran past its time or exit budget. */
    record Budget(long rip, String detail) implements VcpuStop {
        public StopReason reason() { return StopReason.BUDGET; }
    }

    /** An access to guest-physical memory outside RAM ({@code KVM_EXIT_MMIO}); host memory untouched. */
    record BadAccess(long rip, long gpa, int length, boolean write) implements VcpuStop {
        public StopReason reason() { return StopReason.BAD_ACCESS; }
        public String detail() {
            return (write ? "write" : "read") + " of " + length + " bytes at guest-physical 0x"
                    + Long.toHexString(gpa) + ", outside RAM and devices";
        }
    }

    /** {@code KVM_EXIT_FAIL_ENTRY}. */
    record FailEntry(long rip, long hardwareReason) implements VcpuStop {
        public StopReason reason() { return StopReason.KVM_ERROR; }
        public String detail() {
            return "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x" + Long.toHexString(hardwareReason);
        }
    }

    /** {@code KVM_EXIT_INTERNAL_ERROR}. */
    record InternalError(long rip, int suberror) implements VcpuStop {
        public StopReason reason() { return StopReason.KVM_ERROR; }
        public String detail() {
            String what = switch (suberror) {
                case 1 -> "emulation failure";           // KVM_INTERNAL_ERROR_EMULATION
                case 2 -> "exception during exception";  // KVM_INTERNAL_ERROR_SIMUL_EX
                case 3 -> "event delivery failed";       // KVM_INTERNAL_ERROR_DELIVERY_EV
                case 4 -> "unexpected exit reason";      // KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON
                default -> "suberror " + suberror;
            };
            return "KVM_EXIT_INTERNAL_ERROR: " + what + " (suberror " + suberror + ")";
        }
    }

    /** A KVM call itself failed while running the guest. */
    record KvmFailure(long rip, String detail) implements VcpuStop {
        public StopReason reason() { return StopReason.KVM_ERROR; }
    }

    /** An exit the VMM does not handle, or a request it cannot complete yet. */
    record Unhandled(long rip, String detail) implements VcpuStop {
        public StopReason reason() { return StopReason.UNHANDLED_EXIT; }
    }
}
