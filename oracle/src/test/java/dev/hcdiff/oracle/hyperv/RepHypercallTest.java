package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rep hypercalls and the input/output list rules (TLFS "Hypercall Inputs", "Hypercall Outputs",
 * "Hypercall Classes", "Alignment Requirements"; hyperv-abi.md §2.2–2.6): rep count in input bits
 * 43:32, start index in 59:48, reps completed in result bits 43:32 and absolute (start 5, count 10
 * → 10), a failing element stops the call with the elements done so far, lists 8-byte aligned and
 * inside one page. Calls: HvCallGetVpIndexFromApicId 0x009A (rep; 16-byte header PartitionId,
 * TargetVtl, then 8-byte ApicId elements; 8-byte VpIndex output elements) and
 * HvCallFlushVirtualAddressList 0x0003 (rep; 24-byte header then GVA elements).
 */
class RepHypercallTest {

    static final long GET_VP_INDEX = 0x009A, FLUSH_LIST = 0x0003, FLUSH_SPACE = 0x0002, FLUSH_LIST_EX = 0x0014;
    static final long IN = 0x1000, OUT = 0x2000;
    /** HV_PARTITION_ID_SELF. */
    static final long SELF = -1L;
    static final long SUCCESS = 0, INVALID_HYPERCALL_INPUT = 3, INVALID_ALIGNMENT = 4, INVALID_PARAMETER = 5,
            INVALID_PARTITION_ID = 0xD;

    final FlatRam mem = new FlatRam(0x10000);

    static long rep(long code, int count, int start) {
        return code | ((long) count << 32) | ((long) start << 48);
    }

    static long result(long status, int reps) {
        return status | ((long) reps << 32);
    }

    HvPartition partition(HvPersonality who, int vcpus) {
        return new HvPartition(HvConfig.defaults().withPersonality(who).withVcpus(vcpus));
    }

    void apicIds(long... ids) {
        mem.putLong(IN, SELF);
        mem.putLong(IN + 8, 0);
        for (int i = 0; i < ids.length; i++) {
            mem.putLong(IN + 16 + 8L * i, ids[i]);
        }
    }

    @Test
    void everyElementIsTranslatedAndRepsCompletedIsTheCount() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        apicIds(2, 0, 3);
        assertEquals(result(SUCCESS, 3), hv.hypercall(0, rep(GET_VP_INDEX, 3, 0), IN, OUT, mem, i -> { }));
        assertEquals(2, mem.byteAt(OUT));
        assertEquals(0, mem.byteAt(OUT + 8));
        assertEquals(3, mem.byteAt(OUT + 16));
    }

    @Test
    void aFailingElementStopsTheCallWithTheRepsDoneBeforeIt() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        mem.putLong(OUT + 16, 0x77);
        apicIds(1, 2, 9, 3);
        // Element 2 names APIC ID 9, which no VP has: reps completed = 2, element 3 untouched.
        assertEquals(result(INVALID_PARAMETER, 2), hv.hypercall(0, rep(GET_VP_INDEX, 4, 0), IN, OUT, mem, i -> { }));
        assertEquals(1, mem.byteAt(OUT));
        assertEquals(2, mem.byteAt(OUT + 8));
        assertEquals(0x77, mem.byteAt(OUT + 16));
        assertEquals(0, mem.byteAt(OUT + 24));
    }

    @Test
    void aContinuedCallStartsAtTheStartIndexAndReportsAnAbsoluteCount() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        mem.putLong(OUT, 0x55);
        apicIds(9, 1, 2);
        // Start 1 of 3: element 0 (invalid) is not looked at; reps completed is 3, not 2.
        assertEquals(result(SUCCESS, 3), hv.hypercall(0, rep(GET_VP_INDEX, 3, 1), IN, OUT, mem, i -> { }));
        assertEquals(0x55, mem.byteAt(OUT));
        assertEquals(1, mem.byteAt(OUT + 8));
    }

    @Test
    void repsCompletedAfterAFailureIsAbsoluteToo() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        apicIds(9, 1, 9, 3);
        // Resumed at 1: element 1 done, element 2 fails → reps completed 2 (elements 0–1), not 1.
        assertEquals(result(INVALID_PARAMETER, 2), hv.hypercall(0, rep(GET_VP_INDEX, 4, 1), IN, OUT, mem, i -> { }));
    }

    @Test
    void repCallInputValueRules() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        apicIds(0);
        // Zero rep count, start ≥ count, or a rep count on a simple call → INVALID_HYPERCALL_INPUT.
        assertEquals(INVALID_HYPERCALL_INPUT, hv.hypercall(0, rep(GET_VP_INDEX, 0, 0), IN, OUT, mem, i -> { }));
        assertEquals(INVALID_HYPERCALL_INPUT, hv.hypercall(0, rep(GET_VP_INDEX, 2, 2), IN, OUT, mem, i -> { }));
        assertEquals(INVALID_HYPERCALL_INPUT, hv.hypercall(0, rep(FLUSH_SPACE, 1, 0), IN, OUT, mem, i -> { }));
        // A variable header on a call without one.
        assertEquals(INVALID_HYPERCALL_INPUT, hv.hypercall(0, rep(GET_VP_INDEX, 1, 0) | (1L << 17), IN, OUT, mem, i -> { }));
    }

    @Test
    void inputAndOutputListsMustBeAlignedAndInsideOnePage() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        apicIds(0, 1);
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, rep(GET_VP_INDEX, 1, 0), IN + 4, OUT, mem, i -> { }));
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, rep(GET_VP_INDEX, 1, 0), IN, OUT + 4, mem, i -> { }));
        // Output of 2 elements from 0x2ff8 ends at 0x3008: crosses the page.
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, rep(GET_VP_INDEX, 2, 0), IN, 0x2ff8, mem, i -> { }));
        // Input of 16 + 2 × 8 bytes from 0x1fe8 ends at 0x2008.
        assertEquals(INVALID_ALIGNMENT, hv.hypercall(0, rep(GET_VP_INDEX, 2, 0), 0x1fe8, OUT, mem, i -> { }));
    }

    @Test
    void otherPartitionsAndVtlsAreRefused() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        apicIds(0);
        mem.putLong(IN, 7);
        assertEquals(INVALID_PARTITION_ID, hv.hypercall(0, rep(GET_VP_INDEX, 1, 0), IN, OUT, mem, i -> { }));
        mem.putLong(IN, SELF);
        mem.putByte(IN + 8, (byte) 1);
        assertEquals(INVALID_PARAMETER, hv.hypercall(0, rep(GET_VP_INDEX, 1, 0), IN, OUT, mem, i -> { }));
    }

    @Test
    void kvmAndXenDoNotImplementGetVpIndexFromApicId() {
        apicIds(0);
        // kvm_hv_hypercall() and viridian_hypercall() have no case for 0x009A → INVALID_HYPERCALL_CODE.
        for (HvPersonality who : new HvPersonality[] {HvPersonality.KVM, HvPersonality.XEN_VIRIDIAN}) {
            assertEquals(2, partition(who, 4).hypercall(0, rep(GET_VP_INDEX, 1, 0), IN, OUT, mem, i -> { }));
        }
    }

    @Test
    void flushListReportsEveryRepCompletedFromTheStartIndex() {
        mem.putLong(IN + 8, 1); // Flags: HV_FLUSH_ALL_PROCESSORS
        HvPartition tlfs = partition(HvPersonality.TLFS, 2);
        assertEquals(result(SUCCESS, 5), tlfs.hypercall(0, rep(FLUSH_LIST, 5, 2), IN, 0, mem, i -> { }));
        // The 24-byte header plus 5 GVAs must lie in one page: from 0x1fd8 it would end at 0x2018.
        assertEquals(INVALID_ALIGNMENT, tlfs.hypercall(0, rep(FLUSH_LIST, 5, 0), 0x1fd8, 0, mem, i -> { }));
        // KVM rejects any non-zero start index on the list flushes (kvm_hv_hypercall(): "!rep_cnt || rep_idx").
        HvPartition kvm = partition(HvPersonality.KVM, 2);
        assertEquals(INVALID_HYPERCALL_INPUT, kvm.hypercall(0, rep(FLUSH_LIST, 5, 2), IN, 0, mem, i -> { }));
        assertEquals(result(SUCCESS, 5), kvm.hypercall(0, rep(FLUSH_LIST, 5, 0), IN, 0, mem, i -> { }));
        // Xen sets rep_complete = rep_count even for the simple FlushVirtualAddressSpace.
        HvPartition xen = partition(HvPersonality.XEN_VIRIDIAN, 2);
        assertEquals(result(SUCCESS, 7), xen.hypercall(0, rep(FLUSH_SPACE, 7, 0), IN, 0, mem, i -> { }));
    }

    @Test
    void flushListExTakesTheBankWordsAsItsVariableHeader() {
        HvPartition hv = partition(HvPersonality.TLFS, 2);
        mem.putLong(IN + 8, 0);       // Flags
        mem.putLong(IN + 16, 0);      // Format: sparse
        mem.putLong(IN + 24, 1);      // ValidBanksMask: bank 0
        mem.putLong(IN + 32, 0b11);   // bank 0: VPs 0 and 1
        long oneBank = 1L << 17;
        assertEquals(result(SUCCESS, 2), hv.hypercall(0, rep(FLUSH_LIST_EX, 2, 0) | oneBank, IN, 0, mem, i -> { }));
        // Header size 0 while one bank is valid → INVALID_HYPERCALL_INPUT.
        assertEquals(INVALID_HYPERCALL_INPUT, hv.hypercall(0, rep(FLUSH_LIST_EX, 2, 0), IN, 0, mem, i -> { }));
    }
}
