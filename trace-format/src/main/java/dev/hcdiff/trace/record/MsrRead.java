package dev.hcdiff.trace.record;

/** An RDMSR that reached the hypervisor. */
public record MsrRead(int vcpu, int index) implements GuestRequest {
}
