package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Fault;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference TSC page, the TSC frequency and the guest crash MSRs (TLFS "Timers", "Partition
 * Reference TSC Mechanism", "Partitions", App. C; hyperv-abi.md §5, §7; expected values from those
 * and from OpenVMM's scale formula, KVM's and Xen's behaviour as hyperv-abi.md quotes them).
 */
class ClockAndCrashMsrsTest {

    /** TLFS App. C. */
    static final int REFERENCE_TSC = 0x40000021, TSC_FREQUENCY = 0x40000022, TIME_REF_COUNT = 0x40000020,
            CRASH_P0 = 0x40000100, CRASH_P1 = 0x40000101, CRASH_CTL = 0x40000105;
    static final long TSC_PAGE = 0x5000;
    /** HV_CRASH_CTL_CRASH_NOTIFY, bit 63. */
    static final long CRASH_NOTIFY = 1L << 63;

    final FlatRam mem = new FlatRam(0x10000);

    static HvPartition partition(HvPersonality who, int khz) {
        return new HvPartition(HvConfig.defaults().withVcpus(2).withPersonality(who).withTscKhz(khz));
    }

    long le(long gpa, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | mem.byteAt(gpa + i);
        }
        return v;
    }

    @Test
    void enablingTheTscPagePublishesSequenceOneScaleAndZeroOffset() {
        HvPartition hv = partition(HvPersonality.TLFS, 2_596_138);
        assertEquals(Fault.NONE, hv.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem).fault());
        assertEquals(1, le(TSC_PAGE, 4), "TscSequence: valid values start at 1 (0 means: use TIME_REF_COUNT)");
        // OpenVMM: (10_000_000 << 64) / tsc_frequency.
        long scale = BigInteger.TEN.pow(7).shiftLeft(64).divide(BigInteger.valueOf(2_596_138_000L)).longValue();
        assertEquals(scale, le(TSC_PAGE + 8, 8));
        assertEquals(0, le(TSC_PAGE + 16, 8), "TscOffset: the TSC and the counter both start at creation");
        assertEquals(TSC_PAGE | 1, hv.rdmsr(0, REFERENCE_TSC, 0).value());
        // Enabling again publishes the next sequence.
        hv.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem);
        assertEquals(2, le(TSC_PAGE, 4));
    }

    @Test
    void xenViridianKeepsOnly32SignificantBitsOfTheScale() {
        HvPartition hv = partition(HvPersonality.XEN_VIRIDIAN, 2_596_138);
        hv.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem);
        // update_reference_tsc(): ((10000 << 32) / tsc_khz) << 32 (hyperv-abi.md §7).
        assertEquals(((10_000L << 32) / 2_596_138) << 32, le(TSC_PAGE + 8, 8));
        assertEquals(0, le(TSC_PAGE + 8, 8) & 0xffffffffL);
    }

    @Test
    void aTscOf10MhzOrSlowerCannotBeScaledSoThePageSaysUseTheCounter() {
        HvPartition hv = partition(HvPersonality.TLFS, 10_000);
        hv.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem);
        // 2^64 * 10^7 / 10^7 does not fit 64 bits: sequence 0 = "fall back to TIME_REF_COUNT" (TLFS).
        assertEquals(0, le(TSC_PAGE, 4));
    }

    @Test
    void theTscPageAndTheFrequencyNeedTheirPrivileges() {
        long without = HvPrivilege.DEFAULT_GUEST & ~HvPrivilege.ACCESS_PARTITION_REFERENCE_TSC & ~HvPrivilege.ACCESS_FREQUENCY_REGS;
        HvPartition hv = new HvPartition(HvConfig.defaults().withPrivileges(without));
        assertEquals(Fault.GP, hv.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem).fault());
        assertEquals(0, le(TSC_PAGE, 4), "no page written");
        assertEquals(Fault.GP, hv.rdmsr(0, TSC_FREQUENCY, 0).fault());
    }

    @Test
    void tscFrequencyIsInHertzAndReadOnly() {
        HvPartition hv = partition(HvPersonality.TLFS, 2_596_138);
        assertEquals(2_596_138_000L, hv.rdmsr(0, TSC_FREQUENCY, 0).value());
        assertEquals(Fault.GP, hv.wrmsr(0, TSC_FREQUENCY, 1, mem).fault());
    }

    @Test
    void referenceCounterIsComputedAsEachImplementationDoes() {
        // At 1 ms on a 2 GHz TSC (TSC = 2_000_000):
        // tlfs: 1_000_000 ns / 100 = 10_000.
        assertEquals(10_000, partition(HvPersonality.TLFS, 2_000_000).rdmsr(0, TIME_REF_COUNT, 1_000_000).value());
        // xen trc_val(): (TSC × (((10000 << 32) / 2_000_000) << 32)) >> 64 = 2e6 × 21474836 / 2^32 = 9999.99… → 9999.
        assertEquals(9_999, partition(HvPersonality.XEN_VIRIDIAN, 2_000_000).rdmsr(0, TIME_REF_COUNT, 1_000_000).value());
        // kvm get_time_ref_counter(): kvmclock / 100 until the TSC page is valid, then the page's formula:
        // scale = 2^64 × 10^7 / 2e9 = 92233720368547758, (2e6 × scale) >> 64 = 9999.99… → 9999.
        HvPartition kvm = partition(HvPersonality.KVM, 2_000_000);
        assertEquals(10_000, kvm.rdmsr(0, TIME_REF_COUNT, 1_000_000).value());
        kvm.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem);
        assertEquals(9_999, kvm.rdmsr(0, TIME_REF_COUNT, 1_000_000).value());
    }

    @Test
    void apicFrequencyIsTheApicBusOfEachImplementationAndReadOnly() {
        // KVM: APIC_BUS_FREQUENCY = 1e9 / APIC_BUS_CYCLE_NS (1 ns); Xen: 1e9 / APIC_BUS_CYCLE_NS (10 ns).
        int apicFrequency = 0x40000023;
        HvPartition kvm = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.KVM));
        HvPartition xen = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN));
        assertEquals(1_000_000_000L, kvm.rdmsr(0, apicFrequency, 0).value());
        assertEquals(100_000_000L, xen.rdmsr(0, apicFrequency, 0).value());
        assertEquals(Fault.GP, kvm.wrmsr(0, apicFrequency, 1, mem).fault());
        HvPartition noFreq = new HvPartition(HvConfig.defaults().withPrivileges(HvPrivilege.DEFAULT_GUEST & ~HvPrivilege.ACCESS_FREQUENCY_REGS));
        assertEquals(Fault.GP, noFreq.rdmsr(0, apicFrequency, 0).fault());
    }

    @Test
    void crashCtlReportsTheParametersToTheRoot() {
        HvPartition hv = partition(HvPersonality.TLFS, 2_000_000);
        assertEquals(CRASH_NOTIFY, hv.rdmsr(0, CRASH_CTL, 0).value(), "a read returns the capabilities");
        hv.wrmsr(0, CRASH_P0, 3, mem);
        hv.wrmsr(0, CRASH_P1, 7, mem);
        assertEquals(List.of(), hv.crashes(), "parameters alone report nothing");
        assertEquals(Fault.NONE, hv.wrmsr(0, CRASH_CTL, CRASH_NOTIFY, mem).fault());
        assertEquals(List.of(new HvPartition.Crash(0, List.of(3L, 7L, 0L, 0L, 0L))), hv.crashes());
        // Partition-wide (KVM kvm_hv_msr_partition_wide(), followed by tlfs): VP 1 sees VP 0's P0.
        assertEquals(3, hv.rdmsr(1, CRASH_P0, 0).value());
    }

    @Test
    void xenKeepsCrashParametersPerVcpu() {
        HvPartition hv = partition(HvPersonality.XEN_VIRIDIAN, 2_000_000);
        hv.wrmsr(0, CRASH_P0, 3, mem);
        assertEquals(0, hv.rdmsr(1, CRASH_P0, 0).value());
        hv.wrmsr(1, CRASH_CTL, CRASH_NOTIFY, mem);
        assertEquals(List.of(new HvPartition.Crash(1, List.of(0L, 0L, 0L, 0L, 0L))), hv.crashes());
    }

    @Test
    void featuresLeafAdvertisesCrashAndFrequencyMsrs() {
        // CPUID 0x40000003 EDX: bit 8 frequency MSRs, bit 10 guest crash MSRs (TLFS discovery).
        assertEquals(0x500, partition(HvPersonality.TLFS, 2_000_000).cpuid(0x40000003, 0)[3]);
        // Xen reports only bits 3, 10 and 17 (hyperv-abi.md §1); crash_ctl is on.
        assertEquals(0x400, partition(HvPersonality.XEN_VIRIDIAN, 2_000_000).cpuid(0x40000003, 0)[3]);
    }

    /**
     * The page's reference time never runs ahead of TIME_REF_COUNT and trails it by less than one
     * tick plus one TSC period (TLFS: both count the same 100 ns reference time).
     */
    @Property(seed = "20261125")
    void thePageAgreesWithTheReferenceCounter(@ForAll @IntRange(min = 10_001, max = 6_000_000) int khz,
                                             @ForAll @LongRange(min = 0, max = 1L << 52) long nowNs) {
        HvPartition hv = partition(HvPersonality.TLFS, khz);
        hv.wrmsr(0, REFERENCE_TSC, TSC_PAGE | 1, mem);
        long tsc = ReferenceTsc.tscAt(nowNs, khz);
        long pageTime = ReferenceTsc.refTime(tsc, le(TSC_PAGE + 8, 8), le(TSC_PAGE + 16, 8));
        long counter = hv.rdmsr(0, TIME_REF_COUNT, nowNs).value();
        assertTrue(pageTime <= counter && counter - pageTime <= 1, () -> "page " + pageTime + " counter " + counter);
    }
}
