package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

import java.util.Arrays;

/** Test RAM: {@code size} bytes at guest-physical 0, linear = physical (paging off). */
public final class FlatMemory implements GuestMemory {

    private final byte[] ram;

    public FlatMemory(int size) {
        this.ram = new byte[size];
    }

    private void check(long gpa, int len) throws GuestFault {
        if (gpa < 0 || len < 0 || gpa + len > ram.length) {
            throw new GuestFault(gpa, len, "outside test RAM");
        }
    }

    @Override
    public byte[] readLinear(long linear, int len) throws GuestFault {
        return readPhysical(linear, len);
    }

    @Override
    public void writeLinear(long linear, byte[] data) throws GuestFault {
        writePhysical(linear, data);
    }

    @Override
    public byte[] readPhysical(long gpa, int len) throws GuestFault {
        check(gpa, len);
        return Arrays.copyOfRange(ram, (int) gpa, (int) gpa + len);
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        check(gpa, data.length);
        System.arraycopy(data, 0, ram, (int) gpa, data.length);
    }

    @Override
    public long translate(long linear) throws GuestFault {
        check(linear, 1);
        return linear;
    }

    /** Sets one byte, as the guest would between calls. */
    public void writePhysicalUnchecked(long gpa, byte b) {
        ram[(int) gpa] = b;
    }

    /** One byte, for assertions. */
    public int byteAt(long gpa) {
        return ram[(int) gpa] & 0xff;
    }

    /** Writes a little-endian u64, for setting up slow-call input blocks. */
    public void putLong(long gpa, long v) {
        for (int i = 0; i < 8; i++) {
            ram[(int) gpa + i] = (byte) (v >>> (8 * i));
        }
    }
}
