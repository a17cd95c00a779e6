package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.xen.abi.EvtchnSend;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenHvmGetTime;
import dev.hcdiff.oracle.xen.abi.XenHvmPagetableDying;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenHvmXentrace;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MmioWrite;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.HvmH.*;
import static dev.hcdiff.oracle.xen.abi.XenErrno.*;
import static dev.hcdiff.oracle.xen.abi.XenH.DOMID_SELF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** hvm_op (xen-abi.md §5.9; xen/arch/x86/hvm/hvm.c do_hvm_op) on an xl-hvm domain. */
class HvmOpTest {

    static final long BAD = 0xE000_0000L;

    /** get_param(DOMID_SELF, index): the value, or Long.MIN_VALUE + errno on error. */
    static long get(XlGuest g, int index) {
        long rc = g.hvmOp(HVMOP_get_param, new XenHvmParam(DOMID_SELF, 0, index, 0).encode(g.abi));
        return rc != 0 ? rc : XenHvmParam.decode(g.ram.get(XlGuest.ARG, 16), g.abi).value();
    }

    /** The guest puts bytes in the console ring's out[] (xen/include/public/io/console.h). */
    static void consoleOut(XlGuest g, String text) {
        long ring = 0xFEFFFL << 12;
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        g.ram.put(ring + 1024, b);
        g.ram.putU32(ring + 3084, b.length);
    }

    static long set(XlGuest g, int index, long value) {
        return g.hvmOp(HVMOP_set_param, new XenHvmParam(DOMID_SELF, 0, index, value).encode(g.abi));
    }

    @ParameterizedTest
    @EnumSource(value = Abi.class, names = {"XEN64", "XEN32"})
    void theToolstacksParamsAreWhatHvmloaderReads(Abi abi) {
        XlGuest g = new XlGuest(abi);
        // alloc_magic_pages_hvm(): special_pfn(SPECIALPAGE_XENSTORE / _CONSOLE); libxl__build_pre(): ports 1, 2.
        assertEquals(0xFEFFC, get(g, HVM_PARAM_STORE_PFN));
        assertEquals(1, get(g, HVM_PARAM_STORE_EVTCHN));
        assertEquals(0xFEFFF, get(g, HVM_PARAM_CONSOLE_PFN));
        assertEquals(2, get(g, HVM_PARAM_CONSOLE_EVTCHN));
        assertEquals(0, get(g, HVM_PARAM_CALLBACK_IRQ));
        XlGuest bare = XlGuest.bare(abi);
        assertEquals(0, get(bare, HVM_PARAM_STORE_PFN), "no toolstack, no store");
    }

    @Test
    void getParamCopiesTheWholeStructBackPadIncluded() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(0, g.hvmOp(HVMOP_get_param, new XenHvmParam(DOMID_SELF, 0xBEEF, HVM_PARAM_STORE_PFN, 7).encode(Abi.XEN64)));
        assertEquals(new XenHvmParam(DOMID_SELF, 0xBEEF, HVM_PARAM_STORE_PFN, 0xFEFFC),
                XenHvmParam.decode(g.ram.get(XlGuest.ARG, 16), Abi.XEN64));
    }

    @Test
    void readAllowListRefusesTheToolstacksParamsAndDeprecatedOnes() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EPERM, get(g, HVM_PARAM_IDENT_PT));
        assertEquals(-EPERM, get(g, HVM_PARAM_IOREQ_PFN));
        assertEquals(-EPERM, get(g, HVM_PARAM_TIMER_MODE));
        assertEquals(-EINVAL, get(g, HVM_PARAM_PAE_ENABLED), "deprecated");
        assertEquals(-EINVAL, get(g, HVM_PARAM_MEMORY_EVENT_MSR), "deprecated");
        assertEquals(0, get(g, HVM_PARAM_ALTP2M));
        assertEquals(8, get(g, HVM_PARAM_X87_FIP_WIDTH), "Intel without FPU selectors");
    }

    @Test
    void getParamChecksIndexThenDomainThenHvmThenTheAllowList() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EINVAL, g.hvmOp(HVMOP_get_param, new XenHvmParam(0x1234, 0, HVM_NR_PARAMS, 0).encode(Abi.XEN64)),
                "both wrong: the index first");
        assertEquals(-ESRCH, g.hvmOp(HVMOP_get_param, new XenHvmParam(0x1234, 0, HVM_PARAM_IDENT_PT, 0).encode(Abi.XEN64)));
        assertEquals(-EINVAL, g.hvmOp(HVMOP_get_param, new XenHvmParam(0, 0, HVM_PARAM_IDENT_PT, 0).encode(Abi.XEN64)),
                "dom0 is not HVM: -EINVAL before XSM");
        g.call(34, HVMOP_get_param, BAD);
        assertEquals(-EFAULT, g.rc());
    }

    @Test
    void setAllowListLetsTheGuestSetItsPortsButNotItsPages() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EPERM, set(g, HVM_PARAM_STORE_PFN, 5));
        assertEquals(-EPERM, set(g, HVM_PARAM_IDENT_PT, 5));
        assertEquals(-EINVAL, set(g, HVM_PARAM_NESTEDHVM, 1), "deprecated");
        assertEquals(0, set(g, HVM_PARAM_STORE_EVTCHN, 9));
        assertEquals(9, get(g, HVM_PARAM_STORE_EVTCHN));
        assertEquals(0, set(g, HVM_PARAM_VM_GENERATION_ID_ADDR, 0x1234));
        assertEquals(0x1234, get(g, HVM_PARAM_VM_GENERATION_ID_ADDR));
        assertEquals(-EINVAL, g.hvmOp(HVMOP_set_param, new XenHvmParam(0, 0, HVM_PARAM_STORE_EVTCHN, 1).encode(Abi.XEN64)));
    }

    @Test
    void vm86TssIsStoredSizedAndABadOneCrashesTheDomain() {
        XlGuest g = new XlGuest(Abi.XEN32);
        assertEquals(0, set(g, HVM_PARAM_VM86_TSS, 0xFC100000L));
        assertEquals(0xFC100000L, get(g, HVM_PARAM_VM86_TSS));
        assertEquals((128L << 32) | 0xFC100000L, get(g, HVM_PARAM_VM86_TSS_SIZED), "VM86_TSS_UPDATED is masked");
        assertEquals(0, set(g, HVM_PARAM_VM86_TSS_SIZED, (1L << 48) | 0x1000));
        assertEquals(((104L + 32 + 8192 + 1) << 32) | 0x1000, get(g, HVM_PARAM_VM86_TSS_SIZED), "capped");
        XlGuest h = new XlGuest(Abi.XEN64);
        set(h, HVM_PARAM_VM86_TSS_SIZED, (103L << 32) | 0x1000);
        assertEquals(3, h.last.shutdown(), "smaller than a TSS, set on itself: domain_crash()");
        assertEquals(0, h.last.returns().length);
        XlGuest k = new XlGuest(Abi.XEN64);
        set(k, HVM_PARAM_VM86_TSS, 1L << 32);
        assertEquals(3, k.last.shutdown());
    }

    @Test
    void x87FipWidthAndAcpiIoportsLocationTakeOnlyTheirValues() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EINVAL, set(g, HVM_PARAM_X87_FIP_WIDTH, 3));
        assertEquals(0, set(g, HVM_PARAM_X87_FIP_WIDTH, 4));
        assertEquals(4, get(g, HVM_PARAM_X87_FIP_WIDTH));
        assertEquals(-EINVAL, set(g, HVM_PARAM_ACPI_IOPORTS_LOCATION, 2), "pmtimer_change_ioport(): 0 <-> 1 only");
        assertEquals(0, set(g, HVM_PARAM_ACPI_IOPORTS_LOCATION, 1));
        assertEquals(0, set(g, HVM_PARAM_ACPI_IOPORTS_LOCATION, 1));
        assertEquals(0, set(g, HVM_PARAM_ACPI_IOPORTS_LOCATION, 0));
        XenConfig d = XenConfig.defaults();
        XlGuest amd = new XlGuest(Abi.XEN64, new XenConfig(d.version(), d.build(), d.domid(), d.vcpus(), CpuVendor.AMD,
                d.cpuidBase(), d.maxEvtchnPort(), d.tscKhz(), d.uuid()));
        assertEquals(0, get(amd, HVM_PARAM_X87_FIP_WIDTH));
    }

    @Test
    void aVectorCallbackLatchesTheLayoutFromTheCallerAndDeliversTheNextEvent() {
        XlGuest g = new XlGuest(Abi.XEN32);
        assertEquals(0, set(g, HVM_PARAM_CALLBACK_IRQ, (2L << 56) | 0xF3));
        assertEquals((2L << 56) | 0xF3, get(g, HVM_PARAM_CALLBACK_IRQ), "the value is stored as given");
        assertTrue(g.xen.domain().sharedInfo().has32bitShinfo(), "hvm_latch_shinfo_size() from a 32-bit caller");
        assertEquals(new CallbackVia.Vector(0xF3), g.xen.domain().callbackVia());
        consoleOut(g, "x");
        g.ram.put(XlGuest.ARG, new EvtchnSend(2).encode(Abi.XEN32));
        g.call(32, 4, XlGuest.ARG); // send on the console port: xenconsoled drains the ring and notifies back
        assertEquals(List.of(2), g.last.eventsPending());
        assertEquals(List.of(new Interrupt(0, 0xF3, "upcall")), g.last.interrupts());
    }

    @Test
    void callbackTypesDecodeAsHvmSetCallbackViaDoes() {
        XlGuest g = new XlGuest(Abi.XEN64);
        set(g, HVM_PARAM_CALLBACK_IRQ, 28);
        assertEquals(new CallbackVia.Gsi(28), g.xen.domain().callbackVia());
        set(g, HVM_PARAM_CALLBACK_IRQ, 48);
        assertEquals(CallbackVia.NONE, g.xen.domain().callbackVia(), "gsi >= nr_gsis");
        set(g, HVM_PARAM_CALLBACK_IRQ, (1L << 56) | (3 << 11) | 2);
        assertEquals(new CallbackVia.PciIntx(3, 2), g.xen.domain().callbackVia());
        set(g, HVM_PARAM_CALLBACK_IRQ, 3L << 56);
        assertEquals(CallbackVia.NONE, g.xen.domain().callbackVia(), "type > vector");
        assertFalse(g.xen.domain().sharedInfo().has32bitShinfo(), "a 64-bit caller latches native");
    }

    @Test
    void upcallVectorChecksVectorBeforeVcpuAndGoesThroughAnEnabledLapic() {
        XlGuest g = new XlGuest(Abi.XEN64);
        assertEquals(-EINVAL, g.hvmOp(HVMOP_set_evtchn_upcall_vector,
                new XenHvmEvtchnUpcallVector(5, 0xF).encode(Abi.XEN64)), "both wrong: the vector first");
        assertEquals(-ENOENT, g.hvmOp(HVMOP_set_evtchn_upcall_vector,
                new XenHvmEvtchnUpcallVector(5, 0x40).encode(Abi.XEN64)));
        assertEquals(0, g.hvmOp(HVMOP_set_evtchn_upcall_vector, new XenHvmEvtchnUpcallVector(0, 0x40).encode(Abi.XEN64)));
        assertEquals(List.of(), g.last.interrupts(), "the LAPIC is software-disabled at reset (SPIV 0xFF)");
        g.serve(new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF));
        assertEquals(List.of(), g.last.interrupts(), "no event pending: nothing to re-raise");
        assertEquals(0, g.hvmOp(HVMOP_set_evtchn_upcall_vector, new XenHvmEvtchnUpcallVector(0, 0x41).encode(Abi.XEN64)));
        assertEquals(List.of(new Interrupt(0, 0x41, "upcall")), g.last.interrupts(), "vlapic_set_irq() at once");
    }

    @Test
    void enablingTheLapicReRaisesAPendingUpcallVector() {
        XlGuest g = new XlGuest(Abi.XEN64);
        g.hvmOp(HVMOP_set_evtchn_upcall_vector, new XenHvmEvtchnUpcallVector(0, 0x40).encode(Abi.XEN64));
        consoleOut(g, "x");
        g.ram.put(XlGuest.ARG, new EvtchnSend(2).encode(Abi.XEN64));
        g.call(32, 4, XlGuest.ARG);
        assertEquals(List.of(), g.last.interrupts());
        g.serve(new MmioWrite(0, 0xFEE000F0L, 4, 0x1FF));
        assertEquals(List.of(new Interrupt(0, 0x40, "upcall")), g.last.interrupts(), "vlapic_reg_write(APIC_SPIV)");
    }

    @Test
    void getTimeIsTheVirtualClockAndReadsNothing() {
        XlGuest g = new XlGuest(Abi.XEN32);
        g.now = 123_456_789L;
        assertEquals(0, g.hvmOp(HVMOP_get_time, new byte[8]));
        assertEquals(new XenHvmGetTime(123_456_789L), XenHvmGetTime.decode(g.ram.get(XlGuest.ARG, 8), Abi.XEN32));
        g.call(34, HVMOP_get_time, BAD);
        assertEquals(-EFAULT, g.rc());
    }

    @Test
    void memTypeIsRamRwForRamAndMmioDmForHolesAndDirectMmio() {
        XlGuest g = new XlGuest(Abi.XEN64);
        for (long[] pv : new long[][] {{0x100, 0}, {0xA0, 2}, {0xFEFFC, 0}, {0xFDFFF, 2}, {0xFEE00, 2}, {1L << 40, 2}}) {
            assertEquals(0, g.hvmOp(HVMOP_get_mem_type, new XenHvmGetMemType(DOMID_SELF, 9, 0x77, pv[0]).encode(Abi.XEN64)));
            assertEquals(new XenHvmGetMemType(DOMID_SELF, (int) pv[1], 0x77, pv[0]),
                    XenHvmGetMemType.decode(g.ram.get(XlGuest.ARG, 16), Abi.XEN64), "pfn 0x" + Long.toHexString(pv[0]));
        }
        assertEquals(-EPERM, g.hvmOp(HVMOP_get_mem_type, new XenHvmGetMemType(0, 0, 0, 0x100).encode(Abi.XEN64)));
        assertEquals(-ESRCH, g.hvmOp(HVMOP_get_mem_type, new XenHvmGetMemType(0x1234, 0, 0, 0x100).encode(Abi.XEN64)));
    }

    @Test
    void theSmallOpsAnswerAsXenDoes() {
        XlGuest g = new XlGuest(Abi.XEN64);
        g.call(34, HVMOP_flush_tlbs, 0);
        assertEquals(0, g.rc());
        g.call(34, HVMOP_flush_tlbs, XlGuest.ARG);
        assertEquals(-EINVAL, g.rc());
        assertEquals(-EINVAL, g.hvmOp(HVMOP_pagetable_dying, new XenHvmPagetableDying(DOMID_SELF, 0x1000).encode(Abi.XEN64)),
                "HAP");
        assertEquals(-EOPNOTSUPP, g.hvmOp(HVMOP_pagetable_dying, new XenHvmPagetableDying(0, 0x1000).encode(Abi.XEN64)));
        assertEquals(0, g.hvmOp(HVMOP_xentrace, new XenHvmXentrace(0x123, 28).encode(Abi.XEN64)));
        assertEquals(-EINVAL, g.hvmOp(HVMOP_xentrace, new XenHvmXentrace(0x123, 29).encode(Abi.XEN64)));
        assertEquals(-EINVAL, g.hvmOp(HVMOP_xentrace, new XenHvmXentrace(0x1000, 0).encode(Abi.XEN64)));
        g.call(34, HVMOP_guest_request_vm_event, 0);
        assertEquals(0, g.rc());
        assertEquals(-EOPNOTSUPP, g.hvmOp(HVMOP_altp2m, new byte[16]));
        for (long op : new long[] {2, 3, 4, 12, 13, 22, 26, 1L << 32}) {
            g.call(34, op, XlGuest.ARG);
            assertEquals(-ENOSYS, g.rc(), "op " + op);
        }
    }

    @Property(tries = 200, seed = "20260304")
    void everyParamIsEitherReadableOrRefusedTheWayTheAllowListSays(@ForAll @IntRange(min = 0, max = 45) int index) {
        XlGuest g = new XlGuest(Abi.XEN32);
        long rc = get(g, index);
        boolean readable = List.of(0, 1, 2, 15, 17, 18, 19, 34, 35, 36, 37).contains(index);
        boolean deprecated = List.of(4, 13, 20, 21, 22, 23, 24, 25, 26, 30).contains(index);
        if (index >= HVM_NR_PARAMS || deprecated) {
            assertEquals(-EINVAL, rc);
        } else if (!readable) {
            assertEquals(-EPERM, rc);
        } else {
            assertTrue(rc >= 0, "readable " + index);
        }
    }
}
