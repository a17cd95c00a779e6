package dev.hcdiff.trace.record;

/** An IN from an I/O port that reached the hypervisor. {@code size} is 1, 2 or 4 bytes. */
public record PortRead(int vcpu, int port, int size) implements GuestRequest {
}
