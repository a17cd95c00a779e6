package dev.hcdiff.trace.record;

/** A WRMSR that reached the hypervisor, e.g. the Xen hypercall-page MSR. */
public record MsrWrite(int vcpu, int index, long value) implements GuestRequest {
}
