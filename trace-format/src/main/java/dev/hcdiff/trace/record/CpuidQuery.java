package dev.hcdiff.trace.record;

/**
 * A CPUID leaf in the hypervisor range. KVM answers CPUID in the kernel from the table the VMM
 * set, so the recorder asks the backend for its leaves when it builds that table and records each
 * answer as one exchange.
 */
public record CpuidQuery(int vcpu, int leaf, int subleaf) implements GuestRequest {
}
