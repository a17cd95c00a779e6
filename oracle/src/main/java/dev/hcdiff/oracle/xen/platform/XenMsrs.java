package dev.hcdiff.oracle.xen.platform;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Fault;

import java.util.OptionalLong;

/**
 * The MSRs a Xen HVM guest can reach in the hypervisor ({@code xen/arch/x86/traps.c
 * guest_rdmsr_xen()/guest_wrmsr_xen()}, xen-abi.md §1.3): only the hypercall-page MSR at
 * {@code base} (0x40000000, or 0x40000200 with Viridian). Every other MSR that reaches the
 * backend raises #GP: the rest of Xen's range does, and the recorder forwards only MSRs KVM does
 * not know. (With Viridian, 0x40000000..0x400001ff are Hyper-V's, which this model does not serve.)
 */
public final class XenMsrs {

    /** {@code page_index = val & (PAGE_SIZE - 1)}. */
    private static final long PAGE_MASK = HypercallPage.SIZE - 1;

    private final int base;
    private final CpuVendor vendor;
    private final SharedInfo sharedInfo;

    public XenMsrs(int base, CpuVendor vendor, SharedInfo sharedInfo) {
        this.base = base;
        this.vendor = vendor;
        this.sharedInfo = sharedInfo;
    }

    /** The hypercall-page MSR index. */
    public int base() {
        return base;
    }

    /**
     * RDMSR: the hypercall-page MSR reads as zero; anything else is #GP (empty).
     *
     * @see xen/arch/x86/traps.c guest_rdmsr_xen
     */
    public OptionalLong read(int index) {
        return index == base ? OptionalLong.of(0) : OptionalLong.empty();
    }

    /**
     * WRMSR of {@code GPA | page_index}: page index &gt; 0 is #GP; a gfn that is not writable RAM is
     * #GP; otherwise Xen latches the shared_info layout ({@code hvm_latch_shinfo_size()}, before
     * writing the page) and writes {@link HypercallPage}. Writing again rewrites the page.
     *
     * <p>The layout latch takes the guest's mode at the moment of the write
     * ({@code hvm_guest_x86_mode() != 8} → the compat layout): a 32-bit guest (hvmloader) latches
     * the compat layout, which changes the 2-level word size (selector bit = port/32) and the mask
     * and pending_sel offsets.
     *
     * @return {@link Fault#NONE} or {@link Fault#GP}
     * @see xen/arch/x86/traps.c guest_wrmsr_xen
     */
    public Fault write(int index, long value, CpuMode mode, GuestMemory memory) {
        if (index != base) {
            return Fault.GP;
        }
        if ((value & PAGE_MASK) != 0) {
            return Fault.GP; // "wrmsr hypercall page index %#x unsupported"
        }
        long gpa = value & ~PAGE_MASK; // gmfn << PAGE_SHIFT
        byte[] page = HypercallPage.build(vendor);
        try {
            // get_page_from_gfn + get_page_type(PGT_writable_page): the whole page must be RAM. The
            // check and the write are one step here: a GuestMemory write changes nothing on a fault.
            memory.writePhysical(gpa, page);
        } catch (GuestFault f) {
            return Fault.GP; // "Bad GMFN"
        }
        sharedInfo.latch(mode == CpuMode.LONG64);
        return Fault.NONE;
    }

    /** {@link #write(int, long, CpuMode, GuestMemory)} from a 64-bit guest. */
    public Fault write(int index, long value, GuestMemory memory) {
        return write(index, value, CpuMode.LONG64, memory);
    }
}
