package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.toolstack.Toolstack;
import dev.hcdiff.oracle.toolstack.XlHvmBuild;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.EvtchnH;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.XenFeatureInfo;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.abi.XenMemoryDomain;
import dev.hcdiff.oracle.xen.abi.XenMemoryMap;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.HvmH.*;
import static dev.hcdiff.oracle.xen.abi.MemoryH.*;
import static dev.hcdiff.oracle.xen.abi.VersionH.XENVER_get_features;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code xen.domain=xl-pvh}: what libxl and libxc give a new PVH domain (Xen 4.17.7
 * tools/libs/light/libxl_dom.c libxl__build_hvm() with device_model false, libxl_x86.c
 * domain_construct_memmap() and libxl__arch_domain_prepare_config(), tools/libs/guest/xg_dom_x86.c).
 */
class XlPvhDomainTest {

    static final long MEMORY = 64L << 20;
    static final long PAGES = MEMORY >> 12;
    final XlGuest g = new XlGuest(Abi.XEN64, XenConfig.defaults().withXlPvh(MEMORY));

    long stat(int op) {
        return g.memoryOp(op, new XenMemoryDomain(XenH.DOMID_SELF).encode(Abi.XEN64));
    }

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN64", "XEN32"})
    void theMemoryMapIsLibxlsPvhMapRamFromZeroAndTheSpecialPagesReserved(Abi abi) {
        XlGuest p = new XlGuest(abi, XenConfig.defaults().withXlPvh(MEMORY));
        // domain_construct_memmap(): lowmem_start = 0 without a device model, RAM [0, lowmem_end);
        // "Add the HVM special pages to PVH memmap as RESERVED": (X86_HVM_END_SPECIAL_REGION -
        // X86_HVM_NR_SPECIAL_PAGES) << XC_PAGE_SHIFT = 0xFEFF8000, 8 pages, E820_RESERVED. The same
        // list libxc copies into hvm_start_info (xg_dom_x86.c bootlate_hvm(): memmap from dom->e820),
        // which the recorder's PVH boot writes.
        assertEquals(0, p.memoryOp(XENMEM_memory_map, new XenMemoryMap(128, XlGuest.BUF, 0).encode(abi)));
        assertEquals(2, XenMemoryMap.decode(p.ram.get(XlGuest.ARG, XenMemoryMap.size(abi)), abi).nrEntries());
        assertEquals(new E820Entry(0, MEMORY, E820_RAM), E820Entry.decode(p.ram.get(XlGuest.BUF, 20), 0));
        assertEquals(new E820Entry(0xFEFF8000L, 0x8000, E820_RESERVED), E820Entry.decode(p.ram.get(XlGuest.BUF + 20, 20), 0));
    }

    @Test
    void everyLowPageIsPopulatedAndThereAreNoIoreqServerPages() {
        // meminit_hvm(): the VGA hole is skipped only "if ( dom->device_model )"; alloc_magic_pages_hvm()
        // allocates ioreq-server pages only for a device model.
        assertEquals(PAGES + 8, stat(XENMEM_current_reservation));
        assertEquals(PAGES + 256, stat(XENMEM_maximum_reservation), "libxl__build_pre(): + LIBXL_MAXMEM_CONSTANT");
        assertEquals(0xFEFFF, stat(XENMEM_maximum_gpfn));
        assertEquals(HVMMEM_ram_rw, MemoryOpTest.memType(g, 0xA0), "the VGA hole is RAM");
        assertEquals(HVMMEM_mmio_dm, MemoryOpTest.memType(g, 0xFEFF0), "no ioreq-server page");
        assertEquals(new XlHvmBuild(1, MEMORY, 1, "x", XlHvmBuild.Type.PVH).totPages(), PAGES + 8);
    }

    @Test
    void theParamsAreTheSpecialPagesPortsAndTimerModeButNoHpetOrIoreqServer() {
        assertEquals(0xFEFFCL, HvmOpTest.get(g, HVM_PARAM_STORE_PFN));
        assertEquals(1L, HvmOpTest.get(g, HVM_PARAM_STORE_EVTCHN));
        assertEquals(0xFEFFFL, HvmOpTest.get(g, HVM_PARAM_CONSOLE_PFN));
        assertEquals(2L, HvmOpTest.get(g, HVM_PARAM_CONSOLE_EVTCHN));
        XenDomain d = g.xen.domain();
        assertEquals(0xFEFFE000L, d.param(HVM_PARAM_IDENT_PT));
        // libxl_x86.c hvm_set_conf_params(): PVH joins HVM at TIMER_MODE; HPET_ENABLED and VPT_ALIGN
        // are HVM's only.
        assertEquals(1L, d.param(HVM_PARAM_TIMER_MODE));
        assertEquals(0L, d.param(HVM_PARAM_HPET_ENABLED));
        assertEquals(0L, d.param(HVM_PARAM_VPT_ALIGN));
        assertEquals(0L, d.param(32), "HVM_PARAM_IOREQ_SERVER_PFN: no device model");
    }

    @Test
    void ports1And2AreBoundToDom0sDaemons() {
        g.ram.put(XlGuest.ARG, new EvtchnStatus(XenH.DOMID_SELF, 1).encode(Abi.XEN64));
        g.call(32, EvtchnH.EVTCHNOP_status, XlGuest.ARG);
        EvtchnStatus store = EvtchnStatus.decode(g.ram.get(XlGuest.ARG, 24), Abi.XEN64);
        assertEquals(EvtchnH.EVTCHNSTAT_interdomain, store.status());
        assertEquals(Toolstack.DOM0_STORE_PORT, store.u() >>> 32);
    }

    @Test
    void xenstoreHasNoDeviceModelOrPlatformKeys() {
        var xs = g.xen.domain().toolstack().xenstored();
        // libxl__domain_build(): platform/* for HVM only; libxl__spawn_local_dm() never runs for PVH;
        // libxl__domain_make(): hvmloader/ and control/feature-s3|s4 for HVM only.
        assertNull(xs.valueAt("/local/domain/1/hvmloader/bios"));
        assertNull(xs.valueAt("/local/domain/1/hvmloader"));
        assertNull(xs.valueAt("/local/domain/1/platform/acpi"));
        assertNull(xs.valueAt("/local/domain/1/control/feature-s3"));
        assertEquals("", xs.valueAt("/local/domain/1/control/feature-poweroff"));
        assertEquals("2", xs.valueAt("/local/domain/1/console/port"));
        assertEquals("1", xs.valueAt("/local/domain/1/store/port"));
    }

    @Test
    void featuresLackHvmPirqs() {
        // kernel.c XENVER_get_features: hvm_pirqs only if has_pirq(d); PVH's emulation_flags are
        // XEN_X86_EMU_LAPIC alone (libxl__arch_domain_prepare_config()).
        g.ram.put(XlGuest.ARG, new XenFeatureInfo(0, 0).encode(Abi.XEN64));
        g.call(17, XENVER_get_features, XlGuest.ARG);
        assertEquals(0, g.rc());
        assertEquals(new XenFeatureInfo(0, 0x12305), XenFeatureInfo.decode(g.ram.get(XlGuest.ARG, 8), Abi.XEN64));
        assertEquals(XenVersion.HVM_FEATURES & ~(1 << 10), XenVersion.PVH_FEATURES);
    }

    @Test
    void theLapicIsThereButNotTheIoapic() {
        assertEquals(0x00050014L, g.serve(new MmioRead(0, 0xFEE00030L, 4)).result(), "has_vlapic");
        // !has_vioapic: no handler claims 0xFEC00000, so the null handler reads all ones.
        g.serve(new MmioWrite(0, 0xFEC00000L, 4, 0x01));
        assertEquals(0xFFFF_FFFFL, g.serve(new MmioRead(0, 0xFEC00010L, 4)).result());
        assertEquals(0xFFFF_FFFFL, g.serve(new MmioRead(0, 0xFEC00000L, 4)).result(), "no IOREGSEL either");
    }

    @Test
    void onlyAVectorCallbackTakesTheOtherTypesReturnSilently() {
        // irq.c hvm_set_callback_via(): "if ( via_type != HVMIRQ_callback_vector && (!has_vlapic(d) ||
        // !has_vioapic(d) || !has_vpic(d)) ) return;". hvm_set_param() still stores the value.
        assertEquals(0, HvmOpTest.set(g, HVM_PARAM_CALLBACK_IRQ, 28));
        assertEquals(CallbackVia.NONE, g.xen.domain().callbackVia());
        assertEquals(28L, HvmOpTest.get(g, HVM_PARAM_CALLBACK_IRQ));
        assertEquals(0, HvmOpTest.set(g, HVM_PARAM_CALLBACK_IRQ, (1L << 56) | (3 << 11) | 2));
        assertEquals(CallbackVia.NONE, g.xen.domain().callbackVia(), "PCI INTx too");
        assertEquals(0, HvmOpTest.set(g, HVM_PARAM_CALLBACK_IRQ, (2L << 56) | 0xF3));
        assertEquals(new CallbackVia.Vector(0xF3), g.xen.domain().callbackVia());
        assertEquals(0, HvmOpTest.set(g, HVM_PARAM_CALLBACK_IRQ, 0));
        assertEquals(new CallbackVia.Vector(0xF3), g.xen.domain().callbackVia(), "0 is none, not a vector: ignored");
        assertEquals(List.of(), g.last.interrupts());
    }

    @Test
    void theConfigurationNamesTheKind() {
        assertEquals("xl-pvh", g.xen.configuration().get(XenConfig.DOMAIN));
        assertEquals(Long.toString(MEMORY), g.xen.configuration().get(XenConfig.MEMORY_BYTES));
    }
}
