package dev.hcdiff.oracle.backend;

/**
 * A guest memory access outside what the guest can reach: unmapped linear address, or a
 * guest-physical range outside RAM. Checked, because every hypervisor path that copies from the
 * guest must decide what the guest sees (Xen: -EFAULT; Hyper-V: a status).
 */
public final class GuestFault extends Exception {

    private final long address;
    private final int length;

    public GuestFault(long address, int length, String why) {
        super(String.format("guest fault at 0x%x+%d: %s", address, length, why));
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public int length() {
        return length;
    }
}
