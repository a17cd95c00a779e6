package dev.hcdiff.oracle.xen.platform;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.record.MemChunk;

import java.util.Arrays;

/**
 * The domain's {@code shared_info} page as Xen keeps it: 4 KiB, zeroed at creation
 * ({@code xen/arch/x86/domain.c arch_domain_create()}), laid out natively (64-bit) until
 * {@code has_32bit_shinfo} is latched (xen-abi.md §6, {@code xen/include/public/xen.h},
 * {@code xen/include/public/arch-x86/xen.h}).
 *
 * <p>Offsets, 64-bit | 32-bit: {@code vcpu_info[32]} at 0 (64 bytes each: upcall_pending +0,
 * upcall_mask +1, pending_sel +8 (u64) | +4 (u32)); {@code evtchn_pending[]} 2048 | 2048;
 * {@code evtchn_mask[]} 2560 | 2176; {@code wc_version} 3072 | 2304; {@code wc_sec} 3076 | 2308;
 * {@code wc_nsec} 3080 | 2312; {@code wc_sec_hi} 3084 | 2340. Bit <i>p</i> of the pending and mask
 * arrays is bit p%8 of byte p/8 in both layouts (little-endian), so only the mask base and the
 * selector word differ.
 *
 * <p>The guest maps the page with XENMEM_add_to_physmap(XENMAPSPACE_shared_info). Every change
 * Xen makes is tracked as a dirty range, and {@link #flush} writes it to the guest while the page is
 * {@link #mapAt mapped}, so Xen's writes reach the observation the way the guest sees them.
 *
 * <p>{@code vcpu_info[v].time} ({@code struct vcpu_time_info}, at +32 in both layouts):
 * {@code version}@0, {@code tsc_timestamp}@8, {@code system_time}@16, {@code tsc_to_system_mul}@24,
 * {@code tsc_shift}@28, {@code flags}@29 ({@link #updateVcpuTime}).
 */
public final class SharedInfo {

    /** PAGE_SIZE: Xen allocates a whole page for shared_info. */
    public static final int PAGE = XenH.PAGE_SIZE;
    /** sizeof(struct vcpu_info) in both layouts. */
    public static final int VCPU_INFO_SIZE = 64;
    /** vcpu_info.evtchn_upcall_pending. */
    public static final int UPCALL_PENDING = 0;
    /** vcpu_info.evtchn_upcall_mask. */
    public static final int UPCALL_MASK = 1;
    /** vcpu_info.evtchn_pending_sel, native layout (xen_ulong_t). */
    public static final int PENDING_SEL_64 = 8;
    /** vcpu_info.evtchn_pending_sel, compat layout (u32). */
    public static final int PENDING_SEL_32 = 4;
    /** shared_info.evtchn_pending, both layouts. */
    public static final int EVTCHN_PENDING = 2048;
    /** shared_info.evtchn_mask, native layout. */
    public static final int EVTCHN_MASK_64 = 2560;
    /** shared_info.evtchn_mask, compat layout. */
    public static final int EVTCHN_MASK_32 = 2176;
    /** shared_info.wc_version, native layout. */
    public static final int WC_VERSION_64 = 3072;
    /** shared_info.wc_version, compat layout. */
    public static final int WC_VERSION_32 = 2304;
    /** shared_info.wc_sec_hi, native layout. */
    public static final int WC_SEC_HI_64 = 3084;
    /** shared_info.arch.wc_sec_hi, compat layout. */
    public static final int WC_SEC_HI_32 = 2340;

    /** vcpu_info.time: struct vcpu_time_info, both layouts. */
    public static final int TIME = 32;
    /** sizeof(struct vcpu_time_info). */
    public static final int TIME_SIZE = 32;
    /** xen.h XEN_PVCLOCK_TSC_STABLE_BIT (flags bit 0). */
    public static final int XEN_PVCLOCK_TSC_STABLE_BIT = 1;

    private final byte[] page = new byte[PAGE];
    private boolean has32bitShinfo;
    private long mappedGpa = -1;
    private int dirtyFrom = PAGE;
    private int dirtyTo;

    /** {@code d->arch.has_32bit_shinfo}: the compat layout is in use. */
    public boolean has32bitShinfo() {
        return has32bitShinfo;
    }

    /** {@code BITS_PER_EVTCHN_WORD(d)}: 32 with the compat layout, 64 otherwise. */
    public int bitsPerEvtchnWord() {
        return has32bitShinfo ? 32 : 64;
    }

    /**
     * {@code xen/arch/x86/hvm/hvm.c hvm_latch_shinfo_size()}: latch the layout from the guest mode
     * and rewrite the wallclock ({@code update_domain_wallclock_time()}). The wallclock seconds are
     * Xen's boot wallclock, host state the model does not have: it writes 0 for wc_sec, wc_nsec and
     * wc_sec_hi and steps wc_version through {@code version_update_begin/end} (+2).
     */
    public void latch(boolean guestIs64Bit) {
        has32bitShinfo = !guestIs64Bit;
        int wcVersion = has32bitShinfo ? WC_VERSION_32 : WC_VERSION_64;
        int v = u32(wcVersion);
        v = (v + 1) | 1; // version_update_begin
        putU32(wcVersion, v);
        putU32(wcVersion + 4, 0); // wc_sec
        putU32(wcVersion + 8, 0); // wc_nsec
        putU32(has32bitShinfo ? WC_SEC_HI_32 : WC_SEC_HI_64, 0);
        putU32(wcVersion, v + 1); // version_update_end
    }

    /** test_and_set_bit(port, evtchn_pending): the previous value. */
    public boolean testAndSetPending(int port) {
        return testAndSet(EVTCHN_PENDING, port);
    }

    /** test_bit(port, evtchn_pending). */
    public boolean testPending(int port) {
        return test(EVTCHN_PENDING, port);
    }

    /** clear_bit(port, evtchn_pending). */
    public void clearPending(int port) {
        testAndClear(EVTCHN_PENDING, port);
    }

    /** test_bit(port, evtchn_mask). */
    public boolean testMask(int port) {
        return test(maskBase(), port);
    }

    /** test_and_clear_bit(port, evtchn_mask): the previous value. */
    public boolean testAndClearMask(int port) {
        return testAndClear(maskBase(), port);
    }

    /** test_and_set_bit(bit, vcpu_info[vcpu].evtchn_pending_sel): the previous value. */
    public boolean testAndSetPendingSel(int vcpu, int bit) {
        return testAndSet(vcpuInfo(vcpu) + (has32bitShinfo ? PENDING_SEL_32 : PENDING_SEL_64), bit);
    }

    /** Bit {@code bit} of vcpu_info[vcpu].evtchn_pending_sel. */
    public boolean testPendingSel(int vcpu, int bit) {
        return test(vcpuInfo(vcpu) + (has32bitShinfo ? PENDING_SEL_32 : PENDING_SEL_64), bit);
    }

    /** test_and_set_bit(0, &vcpu_info[vcpu].evtchn_upcall_pending): the previous value. */
    public boolean testAndSetUpcallPending(int vcpu) {
        return testAndSet(vcpuInfo(vcpu) + UPCALL_PENDING, 0);
    }

    /** Bit 0 of vcpu_info[vcpu].evtchn_upcall_pending. */
    public boolean upcallPending(int vcpu) {
        return test(vcpuInfo(vcpu) + UPCALL_PENDING, 0);
    }

    /** vcpu_info[vcpu].evtchn_upcall_mask. */
    public int upcallMask(int vcpu) {
        return page[vcpuInfo(vcpu) + UPCALL_MASK] & 0xff;
    }

    /** {@code local_event_delivery_enable()}: vcpu_info[vcpu].evtchn_upcall_mask = 0. */
    public void clearUpcallMask(int vcpu) {
        set(vcpuInfo(vcpu) + UPCALL_MASK, (byte) 0);
    }

    /** A copy of the page. */
    public byte[] bytes() {
        return page.clone();
    }

    /**
     * Maps the page at a guest-physical address (page-aligned), as XENMEM_add_to_physmap(
     * XENMAPSPACE_shared_info) does; the whole page becomes dirty so the next {@link #flush} shows the
     * guest Xen's current content.
     */
    public void mapAt(long gpa) {
        if (gpa < 0 || (gpa & (PAGE - 1)) != 0) {
            throw new IllegalArgumentException("shared_info must be mapped at a page-aligned address, got 0x"
                    + Long.toHexString(gpa));
        }
        mappedGpa = gpa;
        dirty(0, PAGE);
    }

    /** The guest unmapped the page (remove_from_physmap, or another page mapped over it). */
    public void unmap() {
        mappedGpa = -1;
    }

    /**
     * {@code __update_vcpu_system_time()}: writes {@code vcpu_info[vcpu].time} with the update
     * protocol of {@code version_update_begin/end} (odd while writing, then even, +2 in all), the
     * padding zeroed as Xen's whole-struct copy leaves it.
     *
     * @param tscTimestamp the guest TSC at {@code systemTime}
     * @param systemTime   Xen system time in ns
     * @param mul          tsc_to_system_mul
     * @param shift        tsc_shift (s8)
     * @param flags        XEN_PVCLOCK_* bits
     */
    public void updateVcpuTime(int vcpu, long tscTimestamp, long systemTime, int mul, int shift, int flags) {
        int base = vcpuInfo(vcpu) + TIME;
        int v = u32(base);
        v = (v + 1) | 1; // version_update_begin
        putU32(base, v);
        putU32(base + 4, 0);
        putU64(base + 8, tscTimestamp);
        putU64(base + 16, systemTime);
        putU32(base + 24, mul);
        set(base + 28, (byte) shift);
        set(base + 29, (byte) flags);
        set(base + 30, (byte) 0);
        set(base + 31, (byte) 0);
        putU32(base, v + 1); // version_update_end
    }

    /** The 32 bytes of vcpu_info[vcpu].time. */
    public byte[] vcpuTime(int vcpu) {
        int base = vcpuInfo(vcpu) + TIME;
        return Arrays.copyOfRange(page, base, base + TIME_SIZE);
    }

    /** Where the page is mapped, or -1. */
    public long mappedGpa() {
        return mappedGpa;
    }

    /**
     * A guest write into guest-physical memory between exits: the bytes that fall inside the mapped
     * page become the model's bytes (the guest owns the page as much as Xen does). A no-op while
     * the page is not mapped.
     */
    public void applyGuestWrite(MemChunk chunk) {
        if (mappedGpa < 0) {
            return;
        }
        long from = Math.max(chunk.gpa(), mappedGpa);
        long to = Math.min(chunk.gpa() + chunk.length(), mappedGpa + PAGE);
        for (long a = from; a < to; a++) {
            page[(int) (a - mappedGpa)] = chunk.byteAt((int) (a - chunk.gpa()));
        }
    }

    /**
     * Writes what Xen changed since the last flush into guest memory when the page is mapped, and
     * forgets the changes either way.
     *
     * @throws GuestFault when the mapped page is no longer RAM
     */
    public void flush(GuestMemory memory) throws GuestFault {
        if (mappedGpa >= 0 && dirtyFrom < dirtyTo) {
            memory.writePhysical(mappedGpa + dirtyFrom, Arrays.copyOfRange(page, dirtyFrom, dirtyTo));
        }
        dirtyFrom = PAGE;
        dirtyTo = 0;
    }

    private int maskBase() {
        return has32bitShinfo ? EVTCHN_MASK_32 : EVTCHN_MASK_64;
    }

    private static int vcpuInfo(int vcpu) {
        if (vcpu < 0 || vcpu >= XenH.XEN_LEGACY_MAX_VCPUS) {
            throw new IllegalArgumentException("vCPU " + vcpu + " has no vcpu_info in shared_info (XEN_LEGACY_MAX_VCPUS = 32)");
        }
        return vcpu * VCPU_INFO_SIZE;
    }

    private boolean test(int base, int bit) {
        return (page[base + (bit >>> 3)] & (1 << (bit & 7))) != 0;
    }

    private boolean testAndSet(int base, int bit) {
        boolean old = test(base, bit);
        if (!old) {
            int off = base + (bit >>> 3);
            set(off, (byte) (page[off] | (1 << (bit & 7))));
        }
        return old;
    }

    private boolean testAndClear(int base, int bit) {
        boolean old = test(base, bit);
        if (old) {
            int off = base + (bit >>> 3);
            set(off, (byte) (page[off] & ~(1 << (bit & 7))));
        }
        return old;
    }

    private int u32(int off) {
        return (page[off] & 0xff) | (page[off + 1] & 0xff) << 8 | (page[off + 2] & 0xff) << 16 | (page[off + 3] & 0xff) << 24;
    }

    private void putU32(int off, int v) {
        for (int i = 0; i < 4; i++) {
            set(off + i, (byte) (v >>> (8 * i)));
        }
    }

    private void putU64(int off, long v) {
        putU32(off, (int) v);
        putU32(off + 4, (int) (v >>> 32));
    }

    private void set(int off, byte v) {
        page[off] = v;
        dirty(off, 1);
    }

    private void dirty(int off, int len) {
        dirtyFrom = Math.min(dirtyFrom, off);
        dirtyTo = Math.max(dirtyTo, off + len);
    }
}
