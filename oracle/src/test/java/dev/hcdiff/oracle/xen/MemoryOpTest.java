package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenForeignMemoryMap;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenMemoryDomain;
import dev.hcdiff.oracle.xen.abi.XenMemoryMap;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.oracle.xen.abi.XenRemoveFromPhysmap;
import dev.hcdiff.oracle.xen.abi.XenVnumaTopologyInfo;
import dev.hcdiff.trace.record.Abi;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.MemoryH.*;
import static dev.hcdiff.oracle.xen.abi.XenErrno.*;
import static dev.hcdiff.oracle.xen.abi.XenH.DOMID_SELF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memory_op (xen-abi.md §5.7; xen/common/memory.c do_memory_op, xen/common/compat/memory.c
 * compat_memory_op, xen/arch/x86/mm.c arch_memory_op, xen/arch/x86/mm/p2m.c
 * xenmem_add_to_physmap_one), on an xl-hvm domain of 64 MiB unless a test says otherwise.
 */
class MemoryOpTest {

    /** A guest linear address nothing maps (the MMIO hole). */
    static final long BAD = 0xE000_0000L;
    static final long PAGES = XlGuest.MEMORY >> 12;

    static long cmd(int op, long startExtent) {
        return op | startExtent << MEMOP_EXTENT_SHIFT;
    }

    static long stat(XlGuest g, int op) {
        return g.memoryOp(op, new XenMemoryDomain(DOMID_SELF).encode(g.abi));
    }

    static long memType(XlGuest g, long pfn) {
        assertEquals(0, g.hvmOp(15, new XenHvmGetMemType(DOMID_SELF, 0, 0, pfn).encode(g.abi)));
        return XenHvmGetMemType.decode(g.ram.get(XlGuest.ARG, 16), g.abi).memType();
    }

    long xatp(XlGuest g, int space, long idx, long gpfn) {
        return g.memoryOp(XENMEM_add_to_physmap, new XenAddToPhysmap(DOMID_SELF, 0, space, idx, gpfn).encode(g.abi));
    }

    // ---- memory_map ----

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN64", "XEN32"})
    void memoryMapOfAnXlHvmDomainIsLibxlsOneRamEntryAndNrEntriesIsWrittenBack(Abi abi) {
        XlGuest g = new XlGuest(abi);
        // libxl_x86.c domain_construct_memmap(): "lowmem_start = dom->device_model ?
        // GUEST_LOW_MEM_START_DEFAULT : 0", and libxl__build_hvm() sets device_model for every HVM
        // domain: RAM [0x100000, lowmem_end).
        assertEquals(0, g.memoryOp(XENMEM_memory_map, new XenMemoryMap(128, XlGuest.BUF, 0).encode(abi)));
        assertEquals(1, XenMemoryMap.decode(g.ram.get(XlGuest.ARG, XenMemoryMap.size(abi)), abi).nrEntries());
        assertEquals(new E820Entry(0x100000, XlGuest.MEMORY - 0x100000, E820_RAM),
                E820Entry.decode(g.ram.get(XlGuest.BUF, 20), 0));
    }

    @Test
    void memoryMapCopiesAtMostNrEntriesAndKeepsThe64BitPadding() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(0, g.memoryOp(XENMEM_memory_map, new XenMemoryMap(0, XlGuest.BUF, 0x5a5a5a5a).encode(Abi.XEN64)));
        XenMemoryMap back = XenMemoryMap.decode(g.ram.get(XlGuest.ARG, 16), Abi.XEN64);
        assertEquals(new XenMemoryMap(0, XlGuest.BUF, 0x5a5a5a5a), back, "__copy_to_guest copies the struct whole");
        assertEquals(0, g.ram.u64(XlGuest.BUF), "no entry copied");
    }

    @Test
    void memoryMapWithoutAToolstackMapIsEnosysAndFaultsAreEfault() {
        XlGuest bare = XlGuest.bare(Abi.XEN64);
        assertEquals(-ENOSYS, bare.memoryOp(XENMEM_memory_map, new XenMemoryMap(8, XlGuest.BUF, 0).encode(Abi.XEN64)));
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EFAULT, g.memoryOp(XENMEM_memory_map, new XenMemoryMap(8, BAD, 0).encode(Abi.XEN64)), "buffer");
        g.call(12, XENMEM_memory_map, BAD);
        assertEquals(-EFAULT, g.rc(), "struct");
        // arch_memory_op() switches on the whole cmd: a start_extent matches nothing.
        assertEquals(-ENOSYS, g.memoryOp(cmd(XENMEM_memory_map, 1), new XenMemoryMap(8, XlGuest.BUF, 0).encode(Abi.XEN64)));
    }

    @Test
    void aDomainMaySetItsOwnMemoryMapButNotDom0sAndNotTooMany() {
        XlGuest g = XlGuest.bare(Abi.XEN64);
        byte[] e = new byte[40];
        new E820Entry(0, 0x9F000, E820_RAM).encodeInto(e, 0);
        new E820Entry(0x9F000, 0x1000, E820_RESERVED).encodeInto(e, 20);
        g.ram.put(XlGuest.BUF, e);
        assertEquals(0, g.memoryOp(XENMEM_set_memory_map, new XenForeignMemoryMap(DOMID_SELF, 2, XlGuest.BUF).encode(Abi.XEN64)));
        assertEquals(List.of(new E820Entry(0, 0x9F000, E820_RAM), new E820Entry(0x9F000, 0x1000, E820_RESERVED)),
                g.xen.domain().e820());
        assertEquals(-EPERM, g.memoryOp(XENMEM_set_memory_map, new XenForeignMemoryMap(0, 2, XlGuest.BUF).encode(Abi.XEN64)));
        // nr_entries > E820MAX is checked before the domain: both wrong is -EINVAL.
        assertEquals(-EINVAL, g.memoryOp(XENMEM_set_memory_map, new XenForeignMemoryMap(0x1234, 1025, XlGuest.BUF).encode(Abi.XEN64)));
        assertEquals(-ESRCH, g.memoryOp(XENMEM_set_memory_map, new XenForeignMemoryMap(0x1234, 2, XlGuest.BUF).encode(Abi.XEN64)));
        assertEquals(-EFAULT, g.memoryOp(XENMEM_set_memory_map, new XenForeignMemoryMap(DOMID_SELF, 2, BAD).encode(Abi.XEN64)));
    }

    // ---- counts ----

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN64", "XEN32"})
    void reservationCountsAreTheBuildersPages(Abi abi) {
        XlGuest g = new XlGuest(abi);
        // meminit_hvm(): RAM minus the VGA hole (0x20 pages); alloc_magic_pages_hvm(): 8 special
        // pages, and with a device model NR_IOREQ_SERVER_PAGES (8) more.
        assertEquals(PAGES - 0x20 + 8 + 8, stat(g, XENMEM_current_reservation));
        // libxl__build_pre(): setmaxmem(target_memkb + LIBXL_MAXMEM_CONSTANT 1024 KiB).
        assertEquals(PAGES + 256, stat(g, XENMEM_maximum_reservation));
        assertEquals(0xFEFFF, stat(g, XENMEM_maximum_gpfn), "the console page is the highest mapped");
        assertEquals(0x44_0000L, g.memoryOp(XENMEM_maximum_ram_page, new byte[0]));
    }

    @Test
    void aBareDomainHasItsRamAndOnIntelTheApicAccessPage() {
        XlGuest intel = XlGuest.bare(Abi.XEN64);
        assertEquals(PAGES, stat(intel, XENMEM_current_reservation));
        assertEquals(PAGES, stat(intel, XENMEM_maximum_reservation));
        assertEquals(0xFEE00, stat(intel, XENMEM_maximum_gpfn));
        XenConfig d = XenConfig.defaults();
        XlGuest amd = new XlGuest(Abi.XEN64, new XenConfig(d.version(), d.build(), d.domid(), d.vcpus(), CpuVendor.AMD,
                d.cpuidBase(), d.maxEvtchnPort(), d.tscKhz(), d.uuid()));
        assertEquals(PAGES - 1, stat(amd, XENMEM_maximum_gpfn));
    }

    @Test
    void statChecksStartExtentThenCopyThenDomainThenXsm() {
        XlGuest g = new XlGuest(Abi.XEN64);
        g.call(12, cmd(XENMEM_current_reservation, 1), BAD);
        assertEquals(-EINVAL, g.rc(), "start_extent before the copy");
        g.call(12, XENMEM_current_reservation, BAD);
        assertEquals(-EFAULT, g.rc());
        assertEquals(-ESRCH, g.memoryOp(XENMEM_maximum_reservation, new XenMemoryDomain(0x1234).encode(Abi.XEN64)));
        assertEquals(-EPERM, g.memoryOp(XENMEM_maximum_gpfn, new XenMemoryDomain(0).encode(Abi.XEN64)));
        assertEquals(-EINVAL, g.memoryOp(cmd(XENMEM_maximum_ram_page, 1), new byte[0]));
    }

    // ---- add_to_physmap ----

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN64", "XEN32"})
    void sharedInfoMapsIntoTheHoleAndTheModelWritesThePageThere(Abi abi) {
        XlGuest g = new XlGuest(abi);
        long tot = stat(g, XENMEM_current_reservation);
        assertEquals(0, xatp(g, XENMAPSPACE_shared_info, 0, 0xFDFFF));
        assertTrue(g.last.writes().stream().anyMatch(w -> w.gpa() == 0xFDFFF000L && w.length() == 4096),
                "the whole page reaches guest memory: " + g.last.writes());
        assertEquals(java.util.Set.of(0xFDFFF000L), g.xen.ownedPages());
        assertEquals(tot, stat(g, XENMEM_current_reservation), "nothing was there to free");
        assertEquals(HVMMEM_ram_rw, memType(g, 0xFDFFF));
        assertEquals(0xFEFFF, stat(g, XENMEM_maximum_gpfn));
    }

    @Test
    void sharedInfoOverRamFreesThatPageAndRemappingUnmapsTheOldFrame() {
        XlGuest g = new XlGuest(Abi.XEN64);
        long tot = stat(g, XENMEM_current_reservation);
        assertEquals(0, xatp(g, XENMAPSPACE_shared_info, 0, 0x80));
        assertEquals(tot - 1, stat(g, XENMEM_current_reservation), "\"Normal domain memory is freed\"");
        assertEquals(0, xatp(g, XENMAPSPACE_shared_info, 0, 0xFDFFF));
        assertEquals(HVMMEM_mmio_dm, memType(g, 0x80), "unmapped from its old frame");
        assertEquals(java.util.Set.of(0xFDFFF000L), g.xen.ownedPages());
    }

    @Test
    void sharedInfoIdxOtherThanZeroAndUnknownSpacesAreEinval() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_shared_info, 1, 0xFDFFF));
        assertEquals(-EINVAL, xatp(g, 6, 0, 0xFDFFF));
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_shared_info, 0, -1L), "gpfn == INVALID_GFN");
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_shared_info, 0, 1L << 36), "beyond a 4-level EPT");
    }

    @Test
    void addToPhysmapChecksForeignThenDomainThenPermission() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-ENOSYS, g.memoryOp(XENMEM_add_to_physmap,
                new XenAddToPhysmap(0x1234, 0, XENMAPSPACE_gmfn_foreign, 0, 0x100).encode(Abi.XEN64)), "both wrong");
        assertEquals(-ESRCH, g.memoryOp(XENMEM_add_to_physmap,
                new XenAddToPhysmap(0x1234, 0, XENMAPSPACE_dev_mmio, 0, 0x100).encode(Abi.XEN64)), "both wrong");
        assertEquals(-EACCES, g.memoryOp(XENMEM_add_to_physmap,
                new XenAddToPhysmap(0, 0, XENMAPSPACE_shared_info, 0, 0x100).encode(Abi.XEN64)), "dom0 is PV");
        assertEquals(-EACCES, xatp(g, XENMAPSPACE_dev_mmio, 0, 0x100));
    }

    @Test
    void edomIsCheckedBeforeTheCopyIn64BitModeButAfterItIn32BitMode() {
        // do_memory_op() checks start_extent fits xatp.size before copy_from_guest; compat_memory_op()
        // copies the compat struct first.
        XlGuest g64 = new XlGuest(Abi.XEN64);
        g64.call(12, cmd(XENMEM_add_to_physmap, 0x10000), BAD);
        assertEquals(-EDOM, g64.rc());
        XlGuest g32 = new XlGuest(Abi.XEN32);
        g32.call(12, cmd(XENMEM_add_to_physmap, 0x10000), BAD);
        assertEquals(-EFAULT, g32.rc());
        g32.memoryOp(cmd(XENMEM_add_to_physmap, 0x10000),
                new XenAddToPhysmap(DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, 0xFDFFF).encode(Abi.XEN32));
        assertEquals(-EDOM, g32.rc());
    }

    @Test
    void gmfnMovesARamPageAndRefusesHolesAndPagesThatBelongElsewhere() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(0, xatp(g, XENMAPSPACE_gmfn, 0x100, 0xFD000));
        assertEquals(HVMMEM_mmio_dm, memType(g, 0x100));
        assertEquals(HVMMEM_ram_rw, memType(g, 0xFD000));
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_gmfn, 0x100, 0xFD001), "nothing at idx any more");
        // The APIC-access page (Intel): its m2p is not idx → -EXDEV; as a destination → -EPERM.
        assertEquals(-EXDEV, xatp(g, XENMAPSPACE_gmfn, 0xFEE00, 0xFD002));
        assertEquals(-EPERM, xatp(g, XENMAPSPACE_gmfn, 0x101, 0xFEE00));
        assertEquals(-EPERM, xatp(g, XENMAPSPACE_shared_info, 0, 0xFEE00));
    }

    @Test
    void gmfnRangeChecksSizeAgainstStartThenOverflowThenMovesEachPage() {
        XlGuest g = new XlGuest(Abi.XEN64);
        long tot = stat(g, XENMEM_current_reservation);
        assertEquals(-EILSEQ, g.memoryOp(cmd(XENMEM_add_to_physmap, 5),
                new XenAddToPhysmap(DOMID_SELF, 4, XENMAPSPACE_gmfn_range, 0x200, 0xFD100).encode(Abi.XEN64)));
        assertEquals(-EOVERFLOW, g.memoryOp(XENMEM_add_to_physmap,
                new XenAddToPhysmap(DOMID_SELF, 4, XENMAPSPACE_gmfn_range, -2L, 0xFD100).encode(Abi.XEN64)));
        assertEquals(0, g.memoryOp(cmd(XENMEM_add_to_physmap, 1),
                new XenAddToPhysmap(DOMID_SELF, 4, XENMAPSPACE_gmfn_range, 0x200, 0xFD100).encode(Abi.XEN64)));
        assertEquals(HVMMEM_ram_rw, memType(g, 0x200), "start_extent 1 skips the first page");
        for (long i = 1; i < 4; i++) {
            assertEquals(HVMMEM_mmio_dm, memType(g, 0x200 + i));
            assertEquals(HVMMEM_ram_rw, memType(g, 0xFD100 + i));
        }
        assertEquals(tot, stat(g, XENMEM_current_reservation), "moved into the hole: nothing freed");
    }

    @Test
    void grantFramesGrowUpToMaxGrantFramesAndTheStatusBitIsNotAnIndexInV1() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(0, xatp(g, XENMAPSPACE_grant_table, 0, 0xFD000));
        assertEquals(0, xatp(g, XENMAPSPACE_grant_table, 63, 0xFD03F));
        assertEquals(64, g.xen.domain().grantFrames().size());
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_grant_table, 64, 0xFD040));
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_grant_table, XENMAPIDX_grant_table_status, 0xFD041));
        assertEquals(0, xatp(g, XENMAPSPACE_grant_table, 1L << 32, 0xFD042), "idx is an unsigned int: frame 0");
    }

    // ---- remove_from_physmap ----

    @Test
    void removeFromPhysmapUnmapsWithoutFreeingAndChecksStartExtentFirst() {
        XlGuest g = new XlGuest(Abi.XEN64);
        xatp(g, XENMAPSPACE_shared_info, 0, 0xFDFFF);
        long tot = stat(g, XENMEM_current_reservation);
        assertEquals(0, g.memoryOp(XENMEM_remove_from_physmap, new XenRemoveFromPhysmap(DOMID_SELF, 0xFDFFF).encode(Abi.XEN64)));
        assertTrue(g.xen.ownedPages().isEmpty());
        assertEquals(0, g.memoryOp(XENMEM_remove_from_physmap, new XenRemoveFromPhysmap(DOMID_SELF, 0x100).encode(Abi.XEN64)));
        assertEquals(tot, stat(g, XENMEM_current_reservation), "guest_physmap_remove_page() keeps the page the domain's");
        assertEquals(-ENOENT, g.memoryOp(XENMEM_remove_from_physmap, new XenRemoveFromPhysmap(DOMID_SELF, 0x100).encode(Abi.XEN64)));
        assertEquals(-ENOENT, g.memoryOp(XENMEM_remove_from_physmap, new XenRemoveFromPhysmap(DOMID_SELF, 0xFEE00).encode(Abi.XEN64)));
        assertEquals(-EACCES, g.memoryOp(XENMEM_remove_from_physmap, new XenRemoveFromPhysmap(0, 0x200).encode(Abi.XEN64)));
        g.call(12, cmd(XENMEM_remove_from_physmap, 1), BAD);
        assertEquals(-EINVAL, g.rc(), "64-bit: start_extent before the copy");
        XlGuest g32 = new XlGuest(Abi.XEN32);
        g32.call(12, cmd(XENMEM_remove_from_physmap, 1), BAD);
        assertEquals(-EFAULT, g32.rc(), "32-bit: the compat copy first");
    }

    // ---- reservations ----

    @Test
    void populatingOverRamOrphansTheOldPageAndOnlyDecreaseReservationFrees() {
        XlGuest g = new XlGuest(Abi.XEN64);
        long tot = stat(g, XENMEM_current_reservation);
        g.ram.put(XlGuest.BUF, new byte[] {0x00, 0x02, 0, 0, 0, 0, 0, 0}); // gfn 0x200: low RAM
        // memory.c populate_physmap() allocates a page; p2m.c p2m_add_page() only clears the m2p of
        // the RAM page it replaces ("set_gpfn_from_mfn(mfn_x(omfn), INVALID_M2P_ENTRY)"): it stays
        // the domain's, so tot_pages grows by one.
        assertEquals(1, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, 0).encode(Abi.XEN64)));
        assertEquals(tot + 1, stat(g, XENMEM_current_reservation));
        // decrease_reservation() → guest_remove_page() frees the page mapped there now.
        assertEquals(1, g.memoryOp(XENMEM_decrease_reservation, res(XlGuest.BUF, 1, 0, 0).encode(Abi.XEN64)));
        assertEquals(tot, stat(g, XENMEM_current_reservation), "the orphan is still counted");
        assertEquals(HVMMEM_mmio_dm, memType(g, 0x200));
    }

    XenMemoryReservation res(long list, long n, int order, int flags) {
        return new XenMemoryReservation(list, n, order, flags, DOMID_SELF);
    }

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN64", "XEN32"})
    void populatePhysmapMapsRamAtTheListedFramesAndReturnsTheCount(Abi abi) {
        XlGuest g = new XlGuest(abi);
        long tot = stat(g, XENMEM_current_reservation);
        int size = XenMemoryReservation.pfnSize(abi);
        g.ram.put(XlGuest.BUF, new byte[] {(byte) 0x00, (byte) 0xC1, (byte) 0xFC, 0, 0, 0, 0, 0});
        g.ram.put(XlGuest.BUF + size, new byte[] {(byte) 0x01, (byte) 0xC1, (byte) 0xFC, 0, 0, 0, 0, 0});
        assertEquals(2, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 2, 0, 0).encode(abi)));
        assertEquals(tot + 2, stat(g, XENMEM_current_reservation));
        assertEquals(HVMMEM_ram_rw, memType(g, 0xFCC100));
        assertEquals(HVMMEM_ram_rw, memType(g, 0xFCC101));
    }

    @Test
    void populatePhysmapStopsAtMaxPagesAndAtAnUnreadableEntry() {
        XlGuest g = new XlGuest(Abi.XEN64);
        long room = stat(g, XENMEM_maximum_reservation) - stat(g, XENMEM_current_reservation);
        assertEquals(256 + 0x20 - 8 - 8, room, "LIBXL_MAXMEM_CONSTANT, plus the VGA hole, minus the special and ioreq-server pages");
        for (int i = 0; i < 300; i++) {
            g.ram.put(XlGuest.BUF + 8L * i, new byte[] {(byte) i, (byte) (i >> 8), 0x10, 0, 0, 0, 0, 0});
        }
        assertEquals(room, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 300, 0, 0).encode(Abi.XEN64)));
        XlGuest h = new XlGuest(Abi.XEN64);
        long list = 0x3FFFFF8L; // the second entry lies past the end of RAM
        h.ram.put(list, new byte[] {0, 0, 0x10, 0, 0, 0, 0, 0});
        assertEquals(1, h.memoryOp(XENMEM_populate_physmap, res(list, 2, 0, 0).encode(Abi.XEN64)));
    }

    @Test
    void reservationFailuresReturnStartExtentNotAnErrno() {
        XlGuest g = new XlGuest(Abi.XEN64);
        g.ram.put(XlGuest.BUF, new byte[] {0, 0, 0x10, 0, 0, 0, 0, 0});
        assertEquals(0, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 10, 0).encode(Abi.XEN64)), "order > 9");
        assertEquals(0, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, XENMEMF_populate_on_demand).encode(Abi.XEN64)),
                "PoD on oneself");
        assertEquals(0, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, 12).encode(Abi.XEN64)),
                "address bits <= PAGE_SHIFT");
        assertEquals(0, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, (2 << 8) | XENMEMF_exact_node_request).encode(Abi.XEN64)),
                "an exact node from a domU");
        assertEquals(1, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, 2 << 8).encode(Abi.XEN64)),
                "a node hint is ignored");
        assertEquals(3, g.memoryOp(cmd(XENMEM_populate_physmap, 3), res(XlGuest.BUF, 2, 0, 0).encode(Abi.XEN64)),
                "start_extent >= nr_extents");
        assertEquals(0, g.memoryOp(XENMEM_populate_physmap,
                new XenMemoryReservation(XlGuest.BUF, 1, 0, 0, 0).encode(Abi.XEN64)), "XSM_TARGET on dom0");
        assertEquals(0, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1L << 26, 0, 0).encode(Abi.XEN64)),
                "nr_extents > UINT_MAX >> 6");
        g.call(12, cmd(XENMEM_increase_reservation, 5), BAD);
        assertEquals(5, g.rc(), "a failed copy returns start_extent");
    }

    @Test
    void increaseReservationAllocatesUnmappedPagesAndDecreaseFreesMappedOnes() {
        XlGuest g = new XlGuest(Abi.XEN64);
        long tot = stat(g, XENMEM_current_reservation);
        assertEquals(2, g.memoryOp(XENMEM_increase_reservation, res(0, 2, 1, 0).encode(Abi.XEN64)));
        assertEquals(tot + 4, stat(g, XENMEM_current_reservation));
        g.ram.put(XlGuest.BUF, new byte[] {0x00, 0x02, 0, 0, 0, 0, 0, 0});
        g.ram.put(XlGuest.BUF + 8, new byte[] {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0}); // the VGA hole: not mapped
        assertEquals(1, g.memoryOp(XENMEM_decrease_reservation, res(XlGuest.BUF, 2, 0, 0).encode(Abi.XEN64)));
        assertEquals(tot + 3, stat(g, XENMEM_current_reservation));
        assertEquals(HVMMEM_mmio_dm, memType(g, 0x200));
    }

    @Test
    void populatingOverTheApicAccessPageCrashesTheDomain() {
        XlGuest g = new XlGuest(Abi.XEN64);
        g.ram.put(XlGuest.BUF, new byte[] {0x00, (byte) 0xEE, 0x0F, 0, 0, 0, 0, 0});
        g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, 0).encode(Abi.XEN64));
        assertEquals(3, g.last.shutdown(), "p2m_add_page(): domain_crash()");
        assertEquals(0, g.last.returns().length, "the domain never resumes");
    }

    @Test
    void compatPopulateWritesTheFrameListBack() {
        XlGuest g = new XlGuest(Abi.XEN32);
        g.ram.put(XlGuest.BUF, new byte[] {0x00, (byte) 0xC2, (byte) 0xFC, 0});
        assertEquals(1, g.memoryOp(XENMEM_populate_physmap, res(XlGuest.BUF, 1, 0, 0).encode(Abi.XEN32)));
        assertTrue(g.last.writes().stream().anyMatch(w -> w.gpa() == XlGuest.BUF && w.length() == 4),
                "compat_memory_op() copies the translated list back: " + g.last.writes());
    }

    // ---- the rest ----

    @Test
    void claimPagesIsPrivilegedInNativeModeAndAbsentInCompatMode() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EPERM, g.memoryOp(XENMEM_claim_pages, new XenMemoryReservation(0, 16, 0, 0, 1).encode(Abi.XEN64)));
        assertEquals(-EINVAL, g.memoryOp(XENMEM_claim_pages, res(0, 16, 0, 0).encode(Abi.XEN64)),
                "rcu_lock_domain_by_id() does not take DOMID_SELF");
        assertEquals(-EINVAL, g.memoryOp(XENMEM_claim_pages, new XenMemoryReservation(XlGuest.BUF, 16, 0, 0, 1).encode(Abi.XEN64)));
        XlGuest g32 = new XlGuest(Abi.XEN32);
        assertEquals(-ENOSYS, g32.memoryOp(XENMEM_claim_pages, new XenMemoryReservation(0, 16, 0, 0, 1).encode(Abi.XEN32)));
    }

    @Test
    void getVnumainfoIsEopnotsuppAfterPadDomainAndXsm() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EOPNOTSUPP, g.memoryOp(XENMEM_get_vnumainfo,
                new XenVnumaTopologyInfo(DOMID_SELF, 0, 0, 0, 0, 0, 0, 0).encode(Abi.XEN64)));
        assertEquals(-EINVAL, g.memoryOp(XENMEM_get_vnumainfo,
                new XenVnumaTopologyInfo(0x1234, 1, 0, 0, 0, 0, 0, 0).encode(Abi.XEN64)), "pad before the domain");
        assertEquals(-ESRCH, g.memoryOp(XENMEM_get_vnumainfo,
                new XenVnumaTopologyInfo(0x1234, 0, 0, 0, 0, 0, 0, 0).encode(Abi.XEN64)));
        assertEquals(-EPERM, g.memoryOp(XENMEM_get_vnumainfo,
                new XenVnumaTopologyInfo(0, 0, 0, 0, 0, 0, 0, 0).encode(Abi.XEN64)));
    }

    @Test
    void opsHvmOrTheBuildLackAreEnosysOrEopnotsupp() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-ENOSYS, g.memoryOp(XENMEM_machine_memory_map, new byte[16]), "hvm_memory_op() filter");
        assertEquals(-ENOSYS, g.memoryOp(XENMEM_machphys_mapping, new byte[16]), "hvm_memory_op() filter");
        assertEquals(-ENOSYS, g.memoryOp(8, new byte[16]), "XENMEM 8 was removed");
        assertEquals(-ENOSYS, g.memoryOp(XENMEM_sharing_op, new byte[16]), "no CONFIG_MEM_SHARING");
        assertEquals(-ENOSYS, g.memoryOp(40, new byte[16]));
        assertEquals(-EOPNOTSUPP, g.memoryOp(XENMEM_machphys_compat_mfn_list, new byte[16]), "no PV32");
        assertEquals(0, g.memoryOp(XENMEM_get_sharing_freed_pages, new byte[0]));
        assertEquals(0, g.memoryOp(XENMEM_get_sharing_shared_pages, new byte[0]));
    }

    @Test
    void podTargetIsPrivilegedForSelfAndEinvalForDom0() {
        XlGuest g = new XlGuest(Abi.XEN64);
        byte[] self = new dev.hcdiff.oracle.xen.abi.XenPodTarget(0, DOMID_SELF).encode(Abi.XEN64);
        assertEquals(-EPERM, g.memoryOp(XENMEM_set_pod_target, self));
        assertEquals(-EPERM, g.memoryOp(XENMEM_get_pod_target, self));
        assertEquals(-EINVAL, g.memoryOp(XENMEM_get_pod_target,
                new dev.hcdiff.oracle.xen.abi.XenPodTarget(0, 0).encode(Abi.XEN64)));
    }

    @Property(tries = 100, seed = "20260306")
    void totPagesFollowTheExtentsPopulatedAndFreed(
            @ForAll @net.jqwik.api.constraints.Size(max = 30) List<@LongRange(min = 0x9E, max = 0xC2) Long> gfns,
            @ForAll @net.jqwik.api.constraints.Size(max = 30) List<Boolean> populate) {
        // Around the VGA hole: some frames are RAM, some are not. Every extent populated adds a page,
        // every extent freed removes one (xen/common/memory.c populate_physmap, decrease_reservation).
        XlGuest g = new XlGuest(Abi.XEN64);
        long expected = stat(g, XENMEM_current_reservation);
        for (int i = 0; i < Math.min(gfns.size(), populate.size()); i++) {
            g.ram.put(XlGuest.BUF, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(gfns.get(i)).array());
            int op = populate.get(i) ? XENMEM_populate_physmap : XENMEM_decrease_reservation;
            long done = g.memoryOp(op, res(XlGuest.BUF, 1, 0, 0).encode(Abi.XEN64));
            expected += populate.get(i) ? done : -done;
            assertEquals(expected, stat(g, XENMEM_current_reservation), "after op " + i);
            // Populated: RAM there now. Decreased: nothing there now, whether it was freed or never mapped.
            assertEquals(populate.get(i) ? HVMMEM_ram_rw : HVMMEM_mmio_dm, memType(g, gfns.get(i)));
            if (populate.get(i)) {
                assertEquals(1, done, "room below max_pages");
            }
            assertTrue(expected <= stat(g, XENMEM_maximum_reservation));
        }
    }

    @Property(tries = 200, seed = "20260303")
    void sharedInfoCanBeMappedAtAnyHoleFrameAndIsOwnedThere(@ForAll @LongRange(min = 0xFD000, max = 0xFDFFF) long gpfn) {
        XlGuest g = new XlGuest(Abi.XEN32);
        long tot = stat(g, XENMEM_current_reservation);
        assertEquals(0, xatp(g, XENMAPSPACE_shared_info, 0, gpfn));
        assertEquals(java.util.Set.of(gpfn << 12), g.xen.ownedPages());
        assertEquals(tot, stat(g, XENMEM_current_reservation));
        assertEquals(-EINVAL, xatp(g, XENMAPSPACE_shared_info, 1, gpfn));
    }
}
