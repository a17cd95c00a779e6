package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.AccessLog;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Interrupt;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The TLB-flush calls (0x0002, 0x0003, 0x0013, 0x0014) and synthetic cluster IPIs (0x000B,
 * 0x0015). Layouts from the TLFS call pages (flush: AddressSpace @0, Flags @8, ProcessorMask or
 * HV_VP_SET @16; IPI: Vector u32 @0, TargetVtl u8 @4, padding @5, mask or HV_VP_SET @8); flags
 * bit 0 ALL_PROCESSORS, 1 ALL_VIRTUAL_ADDRESS_SPACES, 2 NON_GLOBAL_MAPPINGS_ONLY; vectors
 * 0x10–0xFF. Per personality: T6b "Return Values" (tlfs), Linux {@code kvm_hv_flush_tlb()} /
 * {@code kvm_hv_send_ipi()} (kvm), Xen {@code hvcall_flush[_ex]()} / {@code hvcall_ipi[_ex]()}
 * (xen-viridian): hyperv-abi.md §4.
 */
class FlushAndIpiTest {

    static final long FLUSH_SPACE = 0x0002, FLUSH_LIST = 0x0003, SEND_IPI = 0x000B, FLUSH_SPACE_EX = 0x0013,
            SEND_IPI_EX = 0x0015, FAST = 1L << 16;
    static final long IN = 0x1000;
    static final long ALL_PROCESSORS = 1, NON_GLOBAL_ONLY = 4;
    static final long SUCCESS = 0, INVALID_HYPERCALL_INPUT = 3, INVALID_PARAMETER = 5;

    final FlatRam mem = new FlatRam(0x10000);
    final List<Interrupt> irqs = new ArrayList<>();

    static HvPartition partition(HvPersonality who, int vcpus) {
        return new HvPartition(HvConfig.defaults().withPersonality(who).withVcpus(vcpus));
    }

    static long varhdr(int qwords) {
        return (long) qwords << 17;
    }

    long call(HvPartition hv, long input, long rdx, long r8) {
        return hv.hypercall(0, input, rdx, r8, mem, irqs::add);
    }

    void flushInput(long flags, long mask) {
        mem.putLong(IN, 0x5000); // AddressSpace
        mem.putLong(IN + 8, flags);
        mem.putLong(IN + 16, mask);
    }

    @Test
    void flushSucceedsAndTheGuestObservesNothingElse() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        flushInput(0, 0b1010);
        AccessLog log = new AccessLog(mem);
        assertEquals(SUCCESS, hv.hypercall(0, FLUSH_SPACE, IN, 0, log, irqs::add));
        assertEquals(List.of(), log.writes());
        assertEquals(List.of(), irqs);
    }

    @Test
    void tlfsRejectsAnEmptyMaskReservedFlagsAndNonGlobalOnListsButKvmAndXenDoNot() {
        HvPartition tlfs = partition(HvPersonality.TLFS, 4);
        flushInput(0, 0);
        assertEquals(INVALID_PARAMETER, call(tlfs, FLUSH_SPACE, IN, 0), "mask 0 without ALL_PROCESSORS");
        flushInput(ALL_PROCESSORS, 0);
        assertEquals(SUCCESS, call(tlfs, FLUSH_SPACE, IN, 0));
        flushInput(1L << 9, 1);
        assertEquals(INVALID_PARAMETER, call(tlfs, FLUSH_SPACE, IN, 0), "reserved flag");
        flushInput(NON_GLOBAL_ONLY, 1);
        assertEquals(SUCCESS, call(tlfs, FLUSH_SPACE, IN, 0));
        assertEquals(INVALID_PARAMETER, call(tlfs, FLUSH_LIST | (1L << 32), IN, 0), "NON_GLOBAL on a list");
        // KVM: "treat processor_mask == 0 same as HV_FLUSH_ALL_PROCESSORS"; flags ignored.
        flushInput(0, 0);
        assertEquals(SUCCESS, call(partition(HvPersonality.KVM, 4), FLUSH_SPACE, IN, 0));
        // Xen: mask 0 flushes nobody and succeeds.
        assertEquals(SUCCESS, call(partition(HvPersonality.XEN_VIRIDIAN, 4), FLUSH_SPACE, IN, 0));
    }

    @Test
    void fastFlushIsRefusedDifferentlyPerPersonality() {
        flushInput(ALL_PROCESSORS, 0);
        // tlfs: 24 bytes do not fit RDX/R8 and XMM input is not offered → 3; Xen → 5;
        // kvm: a fast flush takes XMM input, not offered (CPUID 0x40000003 EDX bit 4) → #UD.
        assertEquals(INVALID_HYPERCALL_INPUT, call(partition(HvPersonality.TLFS, 2), FLUSH_SPACE | FAST, IN, 0));
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.XEN_VIRIDIAN, 2), FLUSH_SPACE | FAST, IN, 0));
        for (long code : new long[] {FLUSH_SPACE, FLUSH_LIST | (1L << 32), FLUSH_SPACE_EX, SEND_IPI_EX}) {
            assertEquals(dev.hcdiff.trace.record.Fault.UD,
                    partition(HvPersonality.KVM, 2).call(0, code | FAST, IN, 0, mem, irqs::add).fault(), Long.toHexString(code));
        }
        // The non-Ex IPI takes RDX/R8 only: no #UD.
        assertEquals(dev.hcdiff.trace.record.Fault.NONE,
                partition(HvPersonality.KVM, 2).call(0, SEND_IPI | FAST, 0x41, 1, mem, irqs::add).fault());
    }

    @Test
    void flushExFormatAndHeaderRules() {
        mem.putLong(IN + 8, 0);
        mem.putLong(IN + 16, 2);   // Format 2: neither sparse nor all
        mem.putLong(IN + 24, 0);
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.TLFS, 2), FLUSH_SPACE_EX, IN, 0));
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.XEN_VIRIDIAN, 2), FLUSH_SPACE_EX, IN, 0));
        // KVM: any format other than sparse means all CPUs.
        assertEquals(SUCCESS, call(partition(HvPersonality.KVM, 2), FLUSH_SPACE_EX, IN, 0));
        mem.putLong(IN + 16, 0);
        mem.putLong(IN + 24, 0b101); // banks 0 and 2
        mem.putLong(IN + 32, 1);
        mem.putLong(IN + 40, 1);
        assertEquals(SUCCESS, call(partition(HvPersonality.TLFS, 2), FLUSH_SPACE_EX | varhdr(2), IN, 0));
        assertEquals(INVALID_HYPERCALL_INPUT, call(partition(HvPersonality.TLFS, 2), FLUSH_SPACE_EX | varhdr(1), IN, 0));
        assertEquals(INVALID_HYPERCALL_INPUT, call(partition(HvPersonality.KVM, 2), FLUSH_SPACE_EX | varhdr(1), IN, 0));
        // Xen does not look at the header size.
        assertEquals(SUCCESS, call(partition(HvPersonality.XEN_VIRIDIAN, 2), FLUSH_SPACE_EX | varhdr(1), IN, 0));
    }

    /** The end of {@link #mem}: anything at or past it is unreadable. */
    static final long END = 0x10000;
    static final long FLUSH_LIST_EX = 0x0014;

    static long reps(int n) {
        return (long) n << 32;
    }

    @Test
    void kvmReadsTheGvaListOfAtMostFifteenEntriesAndFailsWhenItIsUnreadable() {
        // Linux kvm_hv_flush_tlb(): "hc->rep_cnt > ARRAY_SIZE(__tlb_flush_entries)" (16 - 1 = 15,
        // KVM_HV_TLB_FLUSH_FIFO_SIZE) skips the list; otherwise kvm_hv_get_tlb_flush_entries() reads
        // rep_cnt u64s at ingpa + sizeof(struct hv_tlb_flush) (24), failure → INVALID_HYPERCALL_INPUT.
        long in = END - 24;          // the header fits, the list starts at END
        mem.putLong(in + 8, ALL_PROCESSORS);
        HvPartition kvm = partition(HvPersonality.KVM, 2);
        assertEquals(INVALID_HYPERCALL_INPUT, call(kvm, FLUSH_LIST | reps(1), in, 0));
        assertEquals(INVALID_HYPERCALL_INPUT, call(kvm, FLUSH_LIST | reps(15), in, 0));
        assertEquals(SUCCESS | reps(16), call(kvm, FLUSH_LIST | reps(16), in, 0), "16 GVAs: full flush, list unread");
        // A readable list: reps completed = rep count.
        assertEquals(SUCCESS | reps(3), call(kvm, FLUSH_LIST | reps(3), END - 24 - 24, 0));
    }

    @Test
    void kvmReadsBankWordsOnlyForASparseSetButSkipsThemBeforeTheListForEveryFormat() {
        // Linux kvm_hv_flush_tlb(): all_cpus = format != HV_GENERIC_SET_SPARSE_4K; banks are read
        // only if !all_cpus (kvm_get_sparse_vp_set()); data_offset += var_cnt * 8 regardless.
        HvPartition kvm = partition(HvPersonality.KVM, 2);
        long in = END - 32;          // Ex header (32 bytes) fits, the bank word would be at END
        mem.putLong(in + 8, 0);
        mem.putLong(in + 24, 1);     // ValidBanksMask: bank 0, so var_cnt must be 1
        mem.putLong(in + 16, 1);     // Format 1 (all): the bank word is not read
        assertEquals(SUCCESS, call(kvm, FLUSH_SPACE_EX | varhdr(1), in, 0));
        mem.putLong(in + 16, 2);     // an unknown format is also "all" to KVM
        assertEquals(SUCCESS, call(kvm, FLUSH_SPACE_EX | varhdr(1), in, 0));
        mem.putLong(in + 16, 0);     // sparse: the bank word at END is read and faults
        assertEquals(INVALID_HYPERCALL_INPUT, call(kvm, FLUSH_SPACE_EX | varhdr(1), in, 0));
        // LIST_EX, format all, one bank word inside memory: the list lies after the bank word (at END).
        long in2 = END - 40;
        mem.putLong(in2 + 8, 0);
        mem.putLong(in2 + 16, 1);
        mem.putLong(in2 + 24, 1);
        assertEquals(INVALID_HYPERCALL_INPUT, call(kvm, FLUSH_LIST_EX | varhdr(1) | reps(1), in2, 0));
        // An empty sparse set goes to ret_success before the list is read.
        mem.putLong(in + 16, 0);
        mem.putLong(in + 24, 0);
        assertEquals(SUCCESS | reps(1), call(kvm, FLUSH_LIST_EX | reps(1), in, 0));
    }

    @Test
    void fastIpiInterruptsEachTargetVpWithTheVector() {
        HvPartition hv = partition(HvPersonality.TLFS, 4);
        // Fast: RDX = Vector | TargetVtl << 32, R8 = ProcessorMask {1, 3} (and VP 5, which does not exist).
        assertEquals(SUCCESS, call(hv, SEND_IPI | FAST, 0x41, 0b101010));
        assertEquals(List.of(new Interrupt(1, 0x41, "ipi"), new Interrupt(3, 0x41, "ipi")), irqs);
    }

    @Test
    void ipiVectorMustLieIn0x10To0xFF() {
        for (long v : new long[] {0x0f, 0x100}) {
            assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.TLFS, 2), SEND_IPI | FAST, v, 1));
            assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.XEN_VIRIDIAN, 2), SEND_IPI | FAST, v, 1));
            // KVM answers a bad vector with INVALID_HYPERCALL_INPUT.
            assertEquals(INVALID_HYPERCALL_INPUT, call(partition(HvPersonality.KVM, 2), SEND_IPI | FAST, v, 1));
        }
        assertEquals(SUCCESS, call(partition(HvPersonality.TLFS, 2), SEND_IPI | FAST, 0x10, 1));
        assertEquals(SUCCESS, call(partition(HvPersonality.TLFS, 2), SEND_IPI | FAST, 0xff, 1));
        assertEquals(List.of(new Interrupt(0, 0x10, "ipi"), new Interrupt(0, 0xff, "ipi")), irqs);
    }

    @Test
    void slowIpiTargetVtlIsCheckedByTlfsAndXenButNotKvm() {
        mem.putLong(IN, 0x41 | (0x11L << 32)); // UseTargetVtl with TargetVtl 1
        mem.putLong(IN + 8, 1);
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.TLFS, 2), SEND_IPI, IN, 0));
        // Xen hvcall_ipi(): "if ( input_params.target_vtl || input_params.reserved_zero[0] ...) return -EINVAL".
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.XEN_VIRIDIAN, 2), SEND_IPI, IN, 0));
        // Linux kvm_hv_send_ipi() reads only send_ipi.vector and cpu_mask.
        assertEquals(SUCCESS, call(partition(HvPersonality.KVM, 2), SEND_IPI, IN, 0));
        assertEquals(List.of(new Interrupt(0, 0x41, "ipi")), irqs);
    }

    @Test
    void tlfsIgnoresTargetVtlUnlessUseTargetVtlIsSetAndRejectsReservedBits() {
        // TLFS datatypes/hv_input_vtl.md: TargetVtl 3:0, UseTargetVtl 4, ReservedZ 7:5; "The
        // UseTargetVtl flag determines whether the TargetVtl field should be honored. If not set,
        // the target VTL is ... the current caller's VTL".
        HvPartition tlfs = partition(HvPersonality.TLFS, 2);
        HvPartition xen = partition(HvPersonality.XEN_VIRIDIAN, 2);
        mem.putLong(IN + 8, 1);
        for (long vtl : new long[] {0x01, 0x0f, 0x10}) { // TargetVtl ignored, or UseTargetVtl with VTL 0
            mem.putLong(IN, 0x41 | (vtl << 32));
            assertEquals(SUCCESS, call(tlfs, SEND_IPI, IN, 0), "HV_INPUT_VTL 0x" + Long.toHexString(vtl));
            // Xen rejects any non-zero target_vtl byte.
            assertEquals(INVALID_PARAMETER, call(xen, SEND_IPI, IN, 0), "xen, HV_INPUT_VTL 0x" + Long.toHexString(vtl));
        }
        for (long vtl : new long[] {0x20, 0x40, 0x80, 0x12}) { // ReservedZ, or UseTargetVtl with VTL 2
            mem.putLong(IN, 0x41 | (vtl << 32));
            assertEquals(INVALID_PARAMETER, call(tlfs, SEND_IPI, IN, 0), "HV_INPUT_VTL 0x" + Long.toHexString(vtl));
        }
        // The same byte in a fast call's RDX bits 39:32.
        assertEquals(SUCCESS, call(tlfs, SEND_IPI | FAST, 0x41 | (0x1L << 32), 1));
        assertEquals(INVALID_PARAMETER, call(tlfs, SEND_IPI | FAST, 0x41 | (0x80L << 32), 1));
        assertEquals(4, irqs.size());
    }

    @Test
    void ipiExTargetsASparseSetOrAll() {
        HvPartition hv = partition(HvPersonality.TLFS, 130);
        byte[] set = VpSet.sparse(List.of(0, 5, 129)).bytes();
        mem.putLong(IN, 0x42);
        for (int i = 0; i < set.length; i++) {
            mem.putByte(IN + 8 + i, set[i]);
        }
        assertEquals(SUCCESS, call(hv, SEND_IPI_EX | varhdr(2), IN, 0));
        assertEquals(List.of(new Interrupt(0, 0x42, "ipi"), new Interrupt(5, 0x42, "ipi"), new Interrupt(129, 0x42, "ipi")), irqs);
        irqs.clear();
        mem.putLong(IN + 8, 1);  // Format: all
        mem.putLong(IN + 16, 0);
        HvPartition three = partition(HvPersonality.TLFS, 3);
        assertEquals(SUCCESS, call(three, SEND_IPI_EX, IN, 0));
        assertEquals(3, irqs.size());
    }

    @Test
    void kvmAcceptsAnEmptySparseSetBeforeCheckingTheVector() {
        mem.putLong(IN, 0x05);     // bad vector
        mem.putLong(IN + 8, 0);    // sparse
        mem.putLong(IN + 16, 0);   // no banks
        assertEquals(SUCCESS, call(partition(HvPersonality.KVM, 2), SEND_IPI_EX, IN, 0));
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.TLFS, 2), SEND_IPI_EX, IN, 0));
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.XEN_VIRIDIAN, 2), SEND_IPI_EX, IN, 0));
        // A fast IpiEx: Xen 5 (KVM: #UD, above).
        assertEquals(INVALID_PARAMETER, call(partition(HvPersonality.XEN_VIRIDIAN, 2), SEND_IPI_EX | FAST, 0x41, 0));
    }

    @Test
    void kvmRecommendsTheCallsItChecksAccessFor() {
        // CPUID 0x40000004 EAX bits 2 (remote TLB flush), 10 (cluster IPI), 11 (Ex processor masks).
        assertEquals((1 << 2) | (1 << 10) | (1 << 11), partition(HvPersonality.KVM, 1).cpuid(0x40000004, 0)[0]);
    }
}
