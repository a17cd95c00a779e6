package dev.hcdiff.oracle.backend;

/**
 * Guest RAM as one byte array starting at guest-physical 0, with identity translation
 * (linear == physical): the in-memory {@link GuestMemory} of tests and the fuzzer.
 *
 * <p>Every access is bounds-checked with {@link Math#addExact} before anything is read or
 * written; an access that leaves {@code [0, size)} throws {@link GuestFault} and changes nothing
 * (a hypervisor would see "not RAM"). Linear accesses use {@link GuestMemory}'s page-by-page
 * defaults, so a linear write that runs off the end of RAM has already written the pages before
 * the fault, as Xen's {@code hvm_copy_to_guest_linear()} leaves them.
 *
 * <p>Not thread-safe.
 */
public final class FlatRam implements GuestMemory {

    private final byte[] ram;

    /** @param size RAM size in bytes, 1 ≤ size */
    public FlatRam(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("RAM size must be positive, got " + size);
        }
        this.ram = new byte[size];
    }

    /** RAM size in bytes. */
    public int size() {
        return ram.length;
    }

    @Override
    public byte[] readPhysical(long gpa, int len) throws GuestFault {
        check(gpa, len);
        byte[] out = new byte[len];
        System.arraycopy(ram, (int) gpa, out, 0, len);
        return out;
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        check(gpa, data.length);
        System.arraycopy(data, 0, ram, (int) gpa, data.length);
    }

    /** Identity: every linear address inside RAM maps to itself. */
    @Override
    public long translate(long linear) throws GuestFault {
        if (linear < 0 || linear >= ram.length) {
            throw new GuestFault(linear, 1, "linear address not mapped (outside " + ram.length + " bytes of RAM)");
        }
        return linear;
    }

    /**
     * One byte, for assertions and set-up outside a call.
     *
     * @throws IndexOutOfBoundsException outside RAM (a test's mistake, not a guest's)
     */
    public int byteAt(long gpa) {
        return ram[Math.toIntExact(gpa)] & 0xff;
    }

    /** Sets one byte, as the guest would between calls. @throws IndexOutOfBoundsException outside RAM */
    public void putByte(long gpa, byte b) {
        ram[Math.toIntExact(gpa)] = b;
    }

    /** Writes a little-endian u64, e.g. a hypercall's input block. @throws IndexOutOfBoundsException outside RAM */
    public void putLong(long gpa, long v) {
        for (int i = 0; i < 8; i++) {
            ram[Math.toIntExact(gpa + i)] = (byte) (v >>> (8 * i));
        }
    }


    private void check(long gpa, int len) throws GuestFault {
        if (len < 0) {
            throw new IllegalArgumentException("negative length " + len);
        }
        long end;
        try {
            end = Math.addExact(gpa, len);
        } catch (ArithmeticException e) {
            throw new GuestFault(gpa, len, "address overflows");
        }
        if (gpa < 0 || end > ram.length) {
            throw new GuestFault(gpa, len, "outside " + ram.length + " bytes of RAM");
        }
    }
}
