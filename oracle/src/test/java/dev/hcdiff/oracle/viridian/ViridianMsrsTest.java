package dev.hcdiff.oracle.viridian;

import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code guest_rdmsr_viridian()}/{@code guest_wrmsr_viridian()} (viridian.c) and
 * {@code viridian_synic_rdmsr()}/{@code _wrmsr()} (synic.c), RELEASE-4.17.7.
 */
class ViridianMsrsTest {

    static final int GUEST_OS_ID = 0x40000000, HYPERCALL = 0x40000001, VP_INDEX = 0x40000002, VP_RUNTIME = 0x40000010,
            RESET = 0x40000003, TSC_FREQUENCY = 0x40000022, APIC_FREQUENCY = 0x40000023, EOI = 0x40000070,
            ICR = 0x40000071, TPR = 0x40000072, VP_ASSIST = 0x40000073, SCONTROL = 0x40000080, SVERSION = 0x40000081,
            SIEFP = 0x40000082, SIMP = 0x40000083, EOM = 0x40000084, SINT0 = 0x40000090, CRASH_P0 = 0x40000100,
            CRASH_CTL = 0x40000105, GUEST_IDLE = 0x400000F0, XEN_PAGE_MSR = 0x40000200;

    final Guest g = Guest.viridian(ViridianConfig.defaults().withVcpus(2));

    @Test
    void hypercallPageIsWrittenWithTheOrlMarkerWhateverTheOsId() {
        // enable_hypercall_page(): 0d 00 00 00 80 (orl $0x80000000,%eax), 0f 01 c1 (vmcall), c3, then 0xcc.
        Observation o = g.wrmsr(0, HYPERCALL, 0x5000 | 1);
        assertEquals(Fault.NONE, o.fault());
        assertEquals(1, o.writes().size());
        MemChunk page = o.writes().get(0);
        assertEquals(0x5000, page.gpa());
        assertEquals(4096, page.length());
        assertArrayEquals(new byte[] {0x0d, 0, 0, 0, (byte) 0x80, 0x0f, 0x01, (byte) 0xc1, (byte) 0xc3},
                Arrays.copyOf(page.data(), 9));
        for (int i = 9; i < 4096; i++) {
            assertEquals((byte) 0xcc, page.byteAt(i));
        }
        assertEquals(0x5001, g.rdmsr(0, HYPERCALL).result());
    }

    @Test
    void amdHypercallPageUsesVmmcall() {
        Guest amd = Guest.viridian(ViridianConfig.defaults().withVendor(dev.hcdiff.oracle.backend.CpuVendor.AMD));
        byte[] page = amd.wrmsr(0, HYPERCALL, 0x5001).writes().get(0).data();
        // *(u8 *)(p + 7) = (cpu_has_vmx ? 0xc1 : 0xd9)
        assertEquals((byte) 0xd9, page[7]);
    }

    @Test
    void hypercallPageOutsideRamIsOnlyLogged() {
        // "Bad GMFN": gdprintk and return; the MSR keeps the value.
        Observation o = g.wrmsr(0, HYPERCALL, 0x4000_0000L | 1);
        assertEquals(Fault.NONE, o.fault());
        // The failed write is logged as a zero-length chunk (AccessLog); no byte reached the guest.
        assertTrue(o.writes().stream().allMatch(w -> w.length() == 0));
        assertEquals(0x4000_0001L, g.rdmsr(0, HYPERCALL).result());
    }

    @Test
    void vpIndexIsTheVcpuIdAndWritesAreIgnored() {
        assertEquals(1, g.rdmsr(1, VP_INDEX).result());
        assertEquals(Fault.NONE, g.wrmsr(1, VP_INDEX, 7).fault());
        assertEquals(1, g.rdmsr(1, VP_INDEX).result());
    }

    @ParameterizedTest
    @ValueSource(ints = {RESET, VP_RUNTIME, GUEST_IDLE, 0x40000106, 0x400001FF})
    void msrsViridianLacksRaiseGp(int index) {
        assertEquals(Fault.GP, g.rdmsr(0, index).fault());
        assertEquals(Fault.GP, g.wrmsr(0, index, 0).fault());
    }

    @Test
    void frequencyMsrsReadTscKhzAndTheApicBusAndAreReadOnly() {
        assertEquals(2_000_000_000L, g.rdmsr(0, TSC_FREQUENCY).result());
        // 1000000000ull / APIC_BUS_CYCLE_NS (10) = 100 MHz.
        assertEquals(100_000_000L, g.rdmsr(0, APIC_FREQUENCY).result());
        assertEquals(Fault.GP, g.wrmsr(0, TSC_FREQUENCY, 1).fault());
    }

    @Test
    void frequencyMsrsRaiseGpWithNoFreq() {
        Guest noFreq = Guest.viridian(ViridianConfig.defaults().withFeatures(ViridianFeatures.ALL | ViridianFeatures.NO_FREQ));
        assertEquals(Fault.GP, noFreq.rdmsr(0, TSC_FREQUENCY).fault());
        assertEquals(Fault.GP, noFreq.rdmsr(0, APIC_FREQUENCY).fault());
    }

    @Test
    void synicMsrsRaiseGpWhenTheFeatureIsOff() {
        Guest base = Guest.viridian(ViridianConfig.defaults().withFeatures(ViridianFeatures.BASE_FREQ));
        for (int index : new int[] {SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINT0}) {
            assertEquals(Fault.GP, base.rdmsr(0, index).fault(), Integer.toHexString(index));
            assertEquals(Fault.GP, base.wrmsr(0, index, 0x10040).fault(), Integer.toHexString(index));
        }
        // The APIC-access MSRs and the VP assist page need no feature bit.
        assertEquals(Fault.NONE, base.wrmsr(0, TPR, 0x20).fault());
        assertEquals(Fault.NONE, base.wrmsr(0, VP_ASSIST, 0).fault());
    }

    @Test
    void sintVectorBelow16RaisesGpEvenWhenMasked() {
        // "Vectors must be in the range 0x10-0xff inclusive", checked before the mask: the reset value faults.
        assertEquals(Fault.GP, g.wrmsr(0, SINT0 + 3, 0x10000).fault());
        assertEquals(0x10000, g.rdmsr(0, SINT0 + 3).result()); // viridian_synic_vcpu_init(): masked
        assertEquals(Fault.NONE, g.wrmsr(0, SINT0 + 3, 0x30050).fault());
        assertEquals(0x30050, g.rdmsr(0, SINT0 + 3).result());
    }

    @Test
    void sversionReadsOneAndWriteFaults() {
        assertEquals(1, g.rdmsr(0, SVERSION).result());
        assertEquals(Fault.GP, g.wrmsr(0, SVERSION, 1).fault());
    }

    @Test
    void eoiIsWriteOnly() {
        assertEquals(Fault.GP, g.rdmsr(0, EOI).fault());
        assertEquals(Fault.NONE, g.wrmsr(0, EOI, 0).fault());
    }

    @Test
    void icrAndTprGoToTheVlapic() {
        // vlapic_reg_write(APIC_ICR2, val >> 32): Xen keeps bits 31:24 of ICR2; APIC_ICR: the pending bit 12 cleared.
        g.wrmsr(0, ICR, 0x0300_0000_0000_10F0L);
        assertEquals(0x0300_0000_0000_00F0L, g.rdmsr(0, ICR).result());
        g.wrmsr(0, TPR, 0x1FF);
        assertEquals(0xFF, g.rdmsr(0, TPR).result()); // APIC_TASKPRI & 0xff
    }

    @Test
    void simpAndVpAssistEnablingClearsThePageSiefpDoesNot() {
        g.put(0x7000, -1L);
        Observation simp = g.wrmsr(0, SIMP, 0x7001);
        assertEquals(List.of(new MemChunk(0x7000, new byte[4096])), simp.writes());
        Observation assist = g.wrmsr(0, VP_ASSIST, 0x8001);
        assertEquals(List.of(new MemChunk(0x8000, new byte[4096])), assist.writes());
        // SIEFP: vv->siefp = val, never mapped.
        Observation sief = g.wrmsr(0, SIEFP, 0x9001);
        assertTrue(sief.writes().isEmpty());
        assertEquals(0x9001, g.rdmsr(0, SIEFP).result());
    }

    @Test
    void crashMsrsArePerVcpuAndCrashCtlReadsCrashNotify() {
        g.wrmsr(0, CRASH_P0, 11);
        g.wrmsr(1, CRASH_P0, 22);
        assertEquals(11, g.rdmsr(0, CRASH_P0).result());
        assertEquals(22, g.rdmsr(1, CRASH_P0).result());
        assertEquals(1L << 63, g.rdmsr(0, CRASH_CTL).result());
        HyperVOnXen b = (HyperVOnXen) g.backend;
        assertEquals(-1, b.shutdownCode());
        Observation o = g.wrmsr(1, CRASH_CTL, 1L << 63);
        // d->shutdown_code = SHUTDOWN_crash, but the domain is not shut down by the write.
        assertEquals(Observation.NO_SHUTDOWN, o.shutdown());
        assertEquals(3, b.shutdownCode());
        assertEquals(List.of(new HyperVOnXen.Crash(1, List.of(22L, 0L, 0L, 0L, 0L))), b.crashes());
    }

    @Test
    void xensOwnPageMsrMovesTo0x40000200() {
        // msr.c: 0x40000200 ... 0x400002ff -> guest_wrmsr_xen() with the base moved by viridian.
        Observation o = g.wrmsr(0, XEN_PAGE_MSR, 0xA000);
        assertEquals(Fault.NONE, o.fault());
        assertEquals(0xA000, o.writes().get(0).gpa());
        assertEquals(Fault.GP, g.wrmsr(0, 0x40000300, 0).fault());
    }

    @Test
    void guestOsIdIsStored() {
        g.wrmsr(0, GUEST_OS_ID, 0x1234);
        assertEquals(0x1234, g.rdmsr(1, GUEST_OS_ID).result());
    }
}
