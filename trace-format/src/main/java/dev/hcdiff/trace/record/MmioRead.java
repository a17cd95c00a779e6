package dev.hcdiff.trace.record;

/**
 * A guest read of guest-physical memory that is not RAM (the LAPIC, the IOAPIC, an absent
 * device in the MMIO hole) that reached the hypervisor. {@code size} is 1, 2, 4 or 8 bytes.
 */
public record MmioRead(int vcpu, long gpa, int size) implements GuestRequest {
}
