package dev.hcdiff.trace.record;

/**
 * A WRMSR that reached the hypervisor, e.g. the Xen hypercall-page MSR.
 *
 * @param mode the vCPU's mode at the write (Xen latches the shared_info layout from it)
 */
public record MsrWrite(int vcpu, int index, long value, CpuMode mode) implements GuestRequest {
}
