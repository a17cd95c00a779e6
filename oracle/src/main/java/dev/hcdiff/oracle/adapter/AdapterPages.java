package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

import java.util.Arrays;

/**
 * The adapter's own pages on the Hyper-V side: one SIEF page per vCPU, where the partition sets
 * the event flags the adapter signals to itself. They belong to the adapter (the receiving end of
 * its loopback connections), not to the Xen guest, so the partition writes them through this view
 * and nothing of it reaches the guest's memory or observation; the guest sees only what the adapter
 * derives from them in Xen's shared_info.
 *
 * <p>Addresses are the adapter's own: page {@code v} at {@code v * 4096}, linear = physical.
 */
final class AdapterPages implements GuestMemory {

    /** A SynIC page is 4 KiB (TLFS "SIEF"). */
    static final int PAGE = 4096;

    private final byte[] bytes;

    AdapterPages(int vcpus) {
        this.bytes = new byte[vcpus * PAGE];
    }

    /** The GPA of vCPU {@code v}'s SIEF page, as written into its SIEFP. */
    static long siefGpa(int vcpu) {
        return (long) vcpu * PAGE;
    }

    private void check(long gpa, int len) throws GuestFault {
        if (gpa < 0 || len < 0 || gpa > bytes.length - (long) len) {
            throw new GuestFault(gpa, len, "outside the adapter's SynIC pages");
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
        return Arrays.copyOfRange(bytes, (int) gpa, (int) gpa + len);
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        check(gpa, data.length);
        System.arraycopy(data, 0, bytes, (int) gpa, data.length);
    }

    @Override
    public long translate(long linear) throws GuestFault {
        check(linear, 1);
        return linear;
    }
}
