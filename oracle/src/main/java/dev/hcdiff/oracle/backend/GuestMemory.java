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

    /**
     * Reads {@code len} bytes at a guest linear address.
     *
     * @throws GuestFault when the range is not mapped or not RAM (a Xen dispatcher turns it into -EFAULT)
     */
    byte[] readLinear(long linear, int len) throws GuestFault;

    /** Writes bytes at a guest linear address. @throws GuestFault as for {@link #readLinear} */
    void writeLinear(long linear, byte[] data) throws GuestFault;

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
