package dev.hcdiff.trace.record;

/** An OUT to an I/O port that reached the hypervisor, e.g. a byte to the 0xe9 debug console. */
public record PortWrite(int vcpu, int port, int size, long value) implements GuestRequest {
}
