package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.AccessLog;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.MemChunk;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic MSR rules: TLFS "Hypercall Interface", "Inter-Partition Communication", App. C; hyperv-abi.md §2.1, §5. */
class SyntheticMsrsTest {

    // TLFS App. C indices.
    static final int GUEST_OS_ID = 0x40000000, HYPERCALL = 0x40000001, VP_INDEX = 0x40000002,
            TIME_REF_COUNT = 0x40000020, SCONTROL = 0x40000080, SVERSION = 0x40000081, SIEFP = 0x40000082,
            SIMP = 0x40000083, EOM = 0x40000084, SINT0 = 0x40000090;
    /** A Linux guest's OS id: open source (bit 63), OS type 1 Linux (62:56) (TLFS "Guest OS Identity"). */
    static final long LINUX_OS_ID = 0x8100000000000000L;
    static final long PAGE = 0x4000;

    final FlatRam mem = new FlatRam(0x10000);

    static HvPartition hv(HvPersonality who) {
        return new HvPartition(HvConfig.defaults().withPersonality(who).withVcpus(3));
    }

    /** A 4 KiB page of int3 (0xCC) starting with {@code head}. */
    static byte[] page(int... head) {
        byte[] p = new byte[4096];
        Arrays.fill(p, (byte) 0xcc);
        for (int i = 0; i < head.length; i++) {
            p[i] = (byte) head[i];
        }
        return p;
    }

    @Test
    void hypercallEnableStaysZeroWhileGuestOsIdIsZeroAndNoPageIsWritten() {
        HvPartition hv = hv(HvPersonality.TLFS);
        AccessLog log = new AccessLog(mem);
        assertEquals(Fault.NONE, hv.wrmsr(0, HYPERCALL, PAGE | 1, log).fault());
        // "The enable bit will remain zero even if a one is written to it."
        assertEquals(PAGE, hv.rdmsr(0, HYPERCALL, 0).value());
        assertEquals(List.of(), log.writes());
    }

    @Test
    void enablingAfterTheOsIdWritesVmcallRetAndInt3Fill() {
        HvPartition hv = hv(HvPersonality.TLFS);
        hv.wrmsr(0, GUEST_OS_ID, LINUX_OS_ID, mem);
        AccessLog log = new AccessLog(mem);
        hv.wrmsr(0, HYPERCALL, PAGE | 1, log);
        assertEquals(PAGE | 1, hv.rdmsr(1, HYPERCALL, 0).value());
        // vmcall = 0F 01 C1, ret = C3 (Intel SDM), rest int3 as Xen and OpenVMM fill.
        assertEquals(List.of(new MemChunk(PAGE, page(0x0f, 0x01, 0xc1, 0xc3))), log.writes());
    }

    @Test
    void amdVendorWritesVmmcall() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withVendor(CpuVendor.AMD));
        hv.wrmsr(0, GUEST_OS_ID, LINUX_OS_ID, mem);
        hv.wrmsr(0, HYPERCALL, PAGE | 1, mem);
        assertArrayEquals(new byte[] {0x0f, 0x01, (byte) 0xd9, (byte) 0xc3, (byte) 0xcc},
                Arrays.copyOfRange(readPage(), 0, 5));
    }

    @Test
    void zeroingTheOsIdDisablesTheHypercallPageExceptUnderXen() {
        for (HvPersonality who : HvPersonality.values()) {
            HvPartition hv = hv(who);
            hv.wrmsr(0, GUEST_OS_ID, LINUX_OS_ID, mem);
            hv.wrmsr(0, HYPERCALL, PAGE | 1, mem);
            hv.wrmsr(0, GUEST_OS_ID, 0, mem);
            long expected = who == HvPersonality.XEN_VIRIDIAN ? PAGE | 1 : PAGE;
            assertEquals(expected, hv.rdmsr(0, HYPERCALL, 0).value(), who.textName());
        }
    }

    @Test
    void kvmDropsTheWholeHypercallWriteWhileOsIdIsZero() {
        HvPartition hv = hv(HvPersonality.KVM);
        AccessLog log = new AccessLog(mem);
        assertEquals(Fault.NONE, hv.wrmsr(0, HYPERCALL, PAGE | 1, log).fault());
        assertEquals(0, hv.rdmsr(0, HYPERCALL, 0).value());
        assertEquals(List.of(), log.writes());
    }

    @Test
    void kvmWritesOnlyTheFourStubBytes() {
        HvPartition hv = hv(HvPersonality.KVM);
        hv.wrmsr(0, GUEST_OS_ID, LINUX_OS_ID, mem);
        AccessLog log = new AccessLog(mem);
        hv.wrmsr(0, HYPERCALL, PAGE | 1, log);
        assertEquals(List.of(new MemChunk(PAGE, new byte[] {0x0f, 0x01, (byte) 0xc1, (byte) 0xc3})), log.writes());
    }

    @Test
    void xenWritesTheOrlPrefixedStubEvenWithoutAnOsId() {
        HvPartition hv = hv(HvPersonality.XEN_VIRIDIAN);
        hv.wrmsr(0, HYPERCALL, PAGE | 1, mem);
        // orl $0x80000000,%eax = 0D 00 00 00 80 (enable_hypercall_page()).
        assertArrayEquals(page(0x0d, 0, 0, 0, 0x80, 0x0f, 0x01, 0xc1, 0xc3), readPage());
    }

    @Test
    void hypercallPageBeyondRamRaisesGpAndIsNotStored() {
        HvPartition hv = hv(HvPersonality.TLFS);
        hv.wrmsr(0, GUEST_OS_ID, LINUX_OS_ID, mem);
        assertEquals(Fault.GP, hv.wrmsr(0, HYPERCALL, 0x100000L | 1, mem).fault());
        assertEquals(0, hv.rdmsr(0, HYPERCALL, 0).value());
    }

    @Test
    void lockedHypercallMsrIsImmutableUnderTlfs() {
        HvPartition hv = hv(HvPersonality.TLFS);
        hv.wrmsr(0, GUEST_OS_ID, LINUX_OS_ID, mem);
        hv.wrmsr(0, HYPERCALL, PAGE | 3, mem);
        assertEquals(Fault.GP, hv.wrmsr(0, HYPERCALL, 0x5000 | 1, mem).fault());
        assertEquals(PAGE | 3, hv.rdmsr(0, HYPERCALL, 0).value());
    }

    @Test
    void vpIndexReadsTheVpAndAWriteFaultsExceptUnderXen() {
        HvPartition hv = hv(HvPersonality.TLFS);
        assertEquals(2, hv.rdmsr(2, VP_INDEX, 0).value());
        assertEquals(Fault.GP, hv.wrmsr(0, VP_INDEX, 5, mem).fault());
        assertEquals(Fault.NONE, hv(HvPersonality.XEN_VIRIDIAN).wrmsr(0, VP_INDEX, 5, mem).fault());
    }

    @Test
    void timeRefCountIsHundredNanosecondTicksAndReadOnly() {
        HvPartition hv = hv(HvPersonality.TLFS);
        assertEquals(12_345, hv.rdmsr(0, TIME_REF_COUNT, 1_234_567).value());
        assertEquals(Fault.GP, hv.wrmsr(0, TIME_REF_COUNT, 0, mem).fault());
    }

    @Test
    void sversionReadsOneAndAWriteFaults() {
        HvPartition hv = hv(HvPersonality.TLFS);
        assertEquals(1, hv.rdmsr(0, SVERSION, 0).value());
        assertEquals(Fault.GP, hv.wrmsr(0, SVERSION, 1, mem).fault());
        assertEquals(0, hv.rdmsr(0, EOM, 0).value());
    }

    @Test
    void scontrolResetsToZeroPerTlfsAndToOneUnderKvm() {
        assertEquals(0, hv(HvPersonality.TLFS).rdmsr(0, SCONTROL, 0).value());
        assertEquals(1, hv(HvPersonality.KVM).rdmsr(0, SCONTROL, 0).value());
    }

    @Test
    void sintsResetMaskedAndAVectorBelow16Faults() {
        HvPartition tlfs = hv(HvPersonality.TLFS);
        assertEquals(0x10000, tlfs.rdmsr(0, SINT0 + 7, 0).value());
        assertEquals(Fault.GP, tlfs.wrmsr(0, SINT0, 0x0f, mem).fault());
        // TLFS and Xen fault even for a masked vector < 16 (the reset value); KVM does not.
        assertEquals(Fault.GP, tlfs.wrmsr(0, SINT0, 0x10000, mem).fault());
        assertEquals(Fault.GP, hv(HvPersonality.XEN_VIRIDIAN).wrmsr(0, SINT0, 0x10000, mem).fault());
        HvPartition kvm = hv(HvPersonality.KVM);
        assertEquals(Fault.NONE, kvm.wrmsr(0, SINT0, 0x10000, mem).fault());
        assertEquals(Fault.GP, kvm.wrmsr(0, SINT0, 0x0f, mem).fault());
        assertEquals(Fault.NONE, tlfs.wrmsr(0, SINT0 + 15, 0x10, mem).fault());
        assertEquals(0x10, tlfs.rdmsr(0, SINT0 + 15, 0).value());
    }

    @Test
    void enablingSiefpZeroesThePage() {
        HvPartition hv = hv(HvPersonality.TLFS);
        mem.putByte(PAGE + 100, (byte) 7);
        hv.wrmsr(0, SIEFP, PAGE | 1, mem);
        assertEquals(0, mem.byteAt(PAGE + 100));
        assertEquals(PAGE | 1, hv.rdmsr(0, SIEFP, 0).value());
        // SynIC registers are per VP.
        assertEquals(0, hv.rdmsr(1, SIEFP, 0).value());
    }

    @Test
    void xenNeverMapsSiefpButClearsSimp() {
        HvPartition hv = hv(HvPersonality.XEN_VIRIDIAN);
        mem.putByte(PAGE, (byte) 7);
        hv.wrmsr(0, SIEFP, PAGE | 1, mem);
        assertEquals(7, mem.byteAt(PAGE));
        hv.wrmsr(0, SIMP, PAGE | 1, mem);
        assertEquals(0, mem.byteAt(PAGE));
    }

    @Test
    void unknownIndexInTheWindowFaults() {
        HvPartition hv = hv(HvPersonality.TLFS);
        for (int idx : new int[] {0x40000003, 0x40000085, 0x400000ff, 0x400001ff}) {
            assertEquals(Fault.GP, hv.rdmsr(0, idx, 0).fault(), Integer.toHexString(idx));
            assertEquals(Fault.GP, hv.wrmsr(0, idx, 0, mem).fault(), Integer.toHexString(idx));
        }
    }

    @Test
    void missingPrivilegeFaultsEvenOnARead() {
        // hyperv-abi.md §5: ST stage 0, even a read of GUEST_OS_ID faults without EAX5.
        HvPartition none = new HvPartition(HvConfig.defaults().withPrivileges(0));
        assertEquals(Fault.GP, none.rdmsr(0, GUEST_OS_ID, 0).fault());
        assertEquals(Fault.GP, none.rdmsr(0, VP_INDEX, 0).fault());
        assertEquals(Fault.GP, none.rdmsr(0, TIME_REF_COUNT, 0).fault());
        assertEquals(Fault.GP, none.wrmsr(0, SCONTROL, 1, mem).fault());
        HvPartition withHypercallMsrs = new HvPartition(HvConfig.defaults().withPrivileges(1L << 5));
        assertEquals(Fault.NONE, withHypercallMsrs.rdmsr(0, GUEST_OS_ID, 0).fault());
        assertTrue(withHypercallMsrs.rdmsr(0, SIMP, 0).faulted());
    }

    private byte[] readPage() {
        try {
            return mem.readPhysical(PAGE, 4096);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
