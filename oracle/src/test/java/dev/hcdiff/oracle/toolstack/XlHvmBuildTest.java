package dev.hcdiff.oracle.toolstack;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libxl's two HVM-container builds (Xen 4.17.7 tools/libs/light/libxl_dom.c libxl__build_hvm():
 * "bool device_model = info->type == LIBXL_DOMAIN_TYPE_HVM"), as tools/libs/guest/xg_dom_x86.c and
 * libxl_x86.c lay them out.
 */
class XlHvmBuildTest {

    static final long MEMORY = 64L << 20;
    final XlHvmBuild hvm = new XlHvmBuild(1, MEMORY, 1, "u");
    final XlHvmBuild pvh = new XlHvmBuild(1, MEMORY, 1, "u", XlHvmBuild.Type.PVH);

    @Test
    void theFourArgumentBuildIsHvmWithADeviceModel() {
        assertEquals(XlHvmBuild.Type.HVM, hvm.type());
        assertTrue(hvm.deviceModel());
        assertFalse(pvh.deviceModel());
    }

    @Test
    void hvmSkipsTheVgaHoleAndAddsTheIoreqServerPagesBelowTheSpecialOnes() {
        // meminit_hvm(): 0..0xA0, then from 0xC0; alloc_magic_pages_hvm(): ioreq_server_pfn(0) =
        // special_pfn(0) - NR_IOREQ_SERVER_PAGES = 0xFEFF0, up to X86_HVM_END_SPECIAL_REGION 0xFF000.
        List<long[]> r = hvm.populatedRanges();
        assertArrayEquals(new long[] {0, 0xA0}, r.get(0));
        assertArrayEquals(new long[] {0xC0, MEMORY >> 12}, r.get(1));
        assertArrayEquals(new long[] {0xFEFF0, 0xFF000}, r.get(2));
        assertEquals((MEMORY >> 12) - 0x20 + 8 + 8, hvm.totPages());
        assertEquals(0xFEFF0L, hvm.params().get(32), "HVM_PARAM_IOREQ_SERVER_PFN");
        assertEquals(8L, hvm.params().get(33), "HVM_PARAM_NR_IOREQ_SERVER_PAGES");
        assertEquals(1L, hvm.params().get(11), "HVM_PARAM_HPET_ENABLED");
        assertEquals(List.of(new XlHvmBuild.E820(0x100000, MEMORY - 0x100000, 1)), hvm.e820());
    }

    @Test
    void pvhPopulatesAllLowRamAndReservesTheSpecialPagesInItsMap() {
        List<long[]> r = pvh.populatedRanges();
        assertArrayEquals(new long[] {0, MEMORY >> 12}, r.get(0));
        assertArrayEquals(new long[] {0xFEFF8, 0xFF000}, r.get(1));
        assertEquals(2, r.size());
        assertEquals((MEMORY >> 12) + 8, pvh.totPages());
        assertEquals(List.of(new XlHvmBuild.E820(0, MEMORY, 1), new XlHvmBuild.E820(0xFEFF8000L, 0x8000, 2)), pvh.e820());
        assertFalse(pvh.params().containsKey(32));
        assertFalse(pvh.params().containsKey(11));
        assertEquals(1L, pvh.params().get(10), "HVM_PARAM_TIMER_MODE for both types");
        assertEquals(hvm.maxPages(), pvh.maxPages(), "libxl__build_pre() is the same for both");
    }

    @Test
    void anHvmDomainNeedsTheMegabyteItsMapStartsAt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new XlHvmBuild(1, 0xC0000, 1, "u"));
        assertTrue(e.getMessage().contains("at least 0x100000"), e.getMessage());
        assertEquals(0xC0000, new XlHvmBuild(1, 0xC0000, 1, "u", XlHvmBuild.Type.PVH).memoryBytes());
    }
}
