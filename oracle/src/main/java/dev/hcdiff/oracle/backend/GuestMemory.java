package dev.hcdiff.oracle.backend;

/**
 * Guest memory as a hypervisor personality sees it. Xen hypercall arguments are guest
 * <em>linear</em> addresses, translated through the guest's current page tables
 * ({@code xen/arch/x86/hvm/hvm.c: hvm_copy_from_guest_linear()}); pages a hypervisor owns
 * (shared_info, SynIC pages) are addressed guest-physically.
 *
 * <p>Implementations: the recorder's view of live guest RAM, the replayer's view of the bytes a
 * recording captured, the fuzzer's in-memory RAM. Backends never see anything else, so every byte
 * they touch can be logged ({@link AccessLog}).
 */
public interface GuestMemory {

    /** Linear accesses are translated one 4 KiB page at a time. */
    long PAGE_SIZE = 4096;

    /**
     * Reads {@code len} bytes at a guest linear address, translating page by page as Xen's
     * {@code hvm_copy_from_guest_linear()} does.
     *
     * @throws GuestFault when the range is not mapped or not RAM (a Xen dispatcher turns it into -EFAULT)
     */
    default byte[] readLinear(long linear, int len) throws GuestFault {
        if (len < 0) {
            throw new GuestFault(linear, len, "negative length");
        }
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long la = linear + done;
            int n = bytesLeftInPage(la, len - done);
            System.arraycopy(readPhysical(translate(la), n), 0, out, done, n);
            done += n;
        }
        return out;
    }

    /**
     * Writes bytes at a guest linear address page by page, as Xen's
     * {@code hvm_copy_to_guest_linear()} does: a fault on a later page leaves the earlier pages
     * written.
     *
     * @throws GuestFault as for {@link #readLinear}
     */
    default void writeLinear(long linear, byte[] data) throws GuestFault {
        int done = 0;
        while (done < data.length) {
            long la = linear + done;
            int n = bytesLeftInPage(la, data.length - done);
            long gpa = translate(la);
            writePhysical(gpa, java.util.Arrays.copyOfRange(data, done, done + n));
            done += n;
        }
    }

    /** How many of {@code remaining} bytes from {@code linear} lie in its page. */
    private static int bytesLeftInPage(long linear, int remaining) {
        return (int) Math.min(remaining, PAGE_SIZE - (linear & (PAGE_SIZE - 1)));
    }

    /** Reads {@code len} bytes at a guest-physical address. @throws GuestFault outside RAM */
    byte[] readPhysical(long gpa, int len) throws GuestFault;

    /** Writes bytes at a guest-physical address. @throws GuestFault outside RAM */
    void writePhysical(long gpa, byte[] data) throws GuestFault;

    /**
     * The guest-physical address of a linear one, as the guest's page tables map it now.
     *
     * @throws GuestFault when not mapped
     */
    long translate(long linear) throws GuestFault;
}
