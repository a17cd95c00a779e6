package dev.hcdiff.trace.record;

/** A guest write to guest-physical memory that is not RAM; {@code size} is 1, 2, 4 or 8 bytes. */
public record MmioWrite(int vcpu, long gpa, int size, long value) implements GuestRequest {
}
