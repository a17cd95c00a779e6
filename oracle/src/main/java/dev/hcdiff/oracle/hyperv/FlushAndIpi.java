package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Interrupt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The virtual-TLB flush calls (HvCallFlushVirtualAddressSpace 0x0002, …List 0x0003, …SpaceEx
 * 0x0013, …ListEx 0x0014) and the synthetic cluster IPIs (HvCallSendSyntheticClusterIpi 0x000B,
 * …Ex 0x0015), per personality. The input value has been checked by the dispatcher where the
 * personality checks it. A flush has no effect a guest can observe besides its result value (the
 * model has no TLB); an IPI raises one {@link Interrupt} with source {@code "ipi"} per target VP, in
 * VP order.
 *
 * <p>Sources: TLFS pages of each call and hv_vp_set, T6b "Return Values" (hyperv-abi.md §4);
 * Linux {@code kvm_hv_flush_tlb()}, {@code kvm_hv_send_ipi()}, {@code kvm_hv_hypercall()}; Xen
 * {@code viridian.c: hvcall_flush()}, {@code hvcall_flush_ex()}, {@code hvcall_ipi()},
 * {@code hvcall_ipi_ex()}, {@code hv_vpset_to_vpmask()}.
 */
final class FlushAndIpi {

    /** HV_FLUSH_ALL_PROCESSORS, Flags bit 0 (TLFS HvCallFlushVirtualAddressSpace). */
    static final long FLUSH_ALL_PROCESSORS = 1L;
    /** HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, bit 1. */
    static final long FLUSH_ALL_VIRTUAL_ADDRESS_SPACES = 1L << 1;
    /** HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, bit 2: invalid for the list forms (TLFS HvCallFlushVirtualAddressList). */
    static final long FLUSH_NON_GLOBAL_MAPPINGS_ONLY = 1L << 2;
    /**
     * The flags the model accepts; bit 3 HV_FLUSH_USE_EXTENDED_RANGE_FORMAT needs CPUID
     * 0x40000003 EDX bit 14, not offered, so it is reserved here ("All other flags are reserved").
     */
    static final long FLUSH_KNOWN = FLUSH_ALL_PROCESSORS | FLUSH_ALL_VIRTUAL_ADDRESS_SPACES | FLUSH_NON_GLOBAL_MAPPINGS_ONLY;
    /** Fixed header of the non-Ex flushes: AddressSpace, Flags, ProcessorMask. */
    static final int FLUSH_HEADER = 24;
    /** Fixed header of the Ex flushes: AddressSpace, Flags, then HV_VP_SET's Format and ValidBanksMask. */
    static final int FLUSH_EX_HEADER = 16 + VpSet.HEADER_BYTES;
    /** Input of HvCallSendSyntheticClusterIpi: Vector u32, TargetVtl u8, padding[3], ProcessorMask u64. */
    static final int IPI_INPUT = 16;
    /** Fixed header of …IpiEx: Vector, TargetVtl, padding, then Format and ValidBanksMask. */
    static final int IPI_EX_HEADER = 8 + VpSet.HEADER_BYTES;
    /** Lowest and highest vector an IPI may carry (TLFS: "between >= 0x10 and <= 0xFF"; HV_IPI_LOW/HIGH_VECTOR). */
    static final int IPI_LOW_VECTOR = 0x10;
    static final int IPI_HIGH_VECTOR = 0xff;
    /**
     * The longest GVA list KVM reads: {@code __tlb_flush_entries[KVM_HV_TLB_FLUSH_FIFO_SIZE - 1]}
     * with {@code KVM_HV_TLB_FLUSH_FIFO_SIZE} = 16 (arch/x86/include/asm/kvm_host.h); a longer list
     * becomes a full flush without being read ({@code kvm_hv_flush_tlb()}).
     */
    static final int KVM_FLUSH_ENTRIES = 15;
    /** HV_INPUT_VTL fields (TLFS datatypes/hv_input_vtl.md): TargetVtl 3:0, UseTargetVtl 4, ReservedZ 7:5. */
    static final int INPUT_VTL_TARGET = 0x0f, INPUT_VTL_USE_TARGET = 0x10, INPUT_VTL_RESERVED = 0xe0;
    /** The interrupt source of a synthetic IPI in an observation. */
    static final String IPI_SOURCE = "ipi";

    private final HvPartition p;

    FlushAndIpi(HvPartition p) {
        this.p = p;
    }

    // ---------------------------------------------------------------- flush

    /**
     * The four flushes under the TLFS. Checks in order: fast (the 24+ byte input does not fit the
     * two fast registers and XMM input is not offered → INVALID_HYPERCALL_INPUT), the input list's
     * alignment and page (INVALID_ALIGNMENT), for the Ex forms a variable header that is not the
     * number of bank words (INVALID_HYPERCALL_INPUT), then INVALID_PARAMETER for reserved flags,
     * NON_GLOBAL_MAPPINGS_ONLY on a list, a format other than 0/1, or an empty ProcessorMask
     * without ALL_PROCESSORS (T6b "Return Values"). A list's reps completed is the rep count:
     * invalid GVAs "are ignored", so no element can fail.
     */
    long flushTlfs(HypercallInput in, long rdx, GuestMemory memory) {
        boolean ex = isEx(in.code());
        boolean list = isList(in.code());
        if (in.fast()) {
            return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
        }
        long bytes = (ex ? FLUSH_EX_HEADER : FLUSH_HEADER) + 8L * in.variableHeaderSize() + (list ? 8L * in.repCount() : 0);
        if (HvCalls.badList(rdx, bytes)) {
            return HvStatus.result(HvStatus.INVALID_ALIGNMENT, 0);
        }
        byte[] head;
        try {
            head = memory.readPhysical(rdx, ex ? FLUSH_EX_HEADER : FLUSH_HEADER);
        } catch (GuestFault f) {
            return HvStatus.result(HvStatus.INVALID_ALIGNMENT, 0);
        }
        long flags = SimPage.Le.get(head, 8, 8);
        if (ex) {
            long format = SimPage.Le.get(head, 16, 8);
            long valid = SimPage.Le.get(head, 24, 8);
            if (in.variableHeaderSize() != Long.bitCount(valid)) {
                return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
            }
            if (format != VpSet.FORMAT_SPARSE_4K && format != VpSet.FORMAT_ALL) {
                return HvStatus.result(HvStatus.INVALID_PARAMETER, 0);
            }
        }
        if ((flags & ~FLUSH_KNOWN) != 0 || list && (flags & FLUSH_NON_GLOBAL_MAPPINGS_ONLY) != 0) {
            return HvStatus.result(HvStatus.INVALID_PARAMETER, 0);
        }
        if (!ex && (flags & FLUSH_ALL_PROCESSORS) == 0 && SimPage.Le.get(head, 16, 8) == 0) {
            return HvStatus.result(HvStatus.INVALID_PARAMETER, 0);
        }
        return HvStatus.result(HvStatus.SUCCESS, list ? in.repCount() : 0);
    }

    /**
     * The four flushes under KVM: fast, a rep count on a simple flush, a rep start index or zero
     * count on a list, or a variable header on a non-Ex flush → INVALID_HYPERCALL_INPUT
     * ({@code kvm_hv_hypercall()}); an unreadable input → INVALID_HYPERCALL_INPUT; an Ex header
     * that is not the bank count → INVALID_HYPERCALL_INPUT (hyperv-abi.md §4). Flags, address
     * space and the mask are not judged (mask 0 means all, a non-sparse format means all): KVM
     * always flushes everything and reports reps completed = rep count ({@code kvm_hv_flush_tlb()}).
     *
     * <p>What KVM reads, in {@code kvm_hv_flush_tlb()}'s order: the fixed header; for an Ex form
     * {@code all_cpus = format != HV_GENERIC_SET_SPARSE_4K}, and only a sparse set has its bank
     * words read ({@code kvm_get_sparse_vp_set()}), an empty sparse set going straight to
     * {@code ret_success}; the bank words are skipped over for every format ({@code data_offset +=
     * var_cnt * 8}); then, for a list of at most {@link #KVM_FLUSH_ENTRIES} GVAs, the list itself
     * ({@code kvm_hv_get_tlb_flush_entries()} → {@code kvm_read_guest()}). A longer list is not
     * read: KVM flushes everything instead.
     */
    long flushKvm(HypercallInput in, long rdx, GuestMemory memory) {
        boolean ex = isEx(in.code());
        boolean list = isList(in.code());
        boolean rep = in.repCount() != 0 || in.repStart() != 0;
        if (in.fast() || (list ? in.repCount() == 0 || in.repStart() != 0 : rep) || !ex && in.variableHeaderSize() != 0) {
            return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
        }
        long reps = HvStatus.result(HvStatus.SUCCESS, in.repCount());
        try {
            byte[] head = memory.readPhysical(rdx, ex ? FLUSH_EX_HEADER : FLUSH_HEADER);
            long offset = ex ? FLUSH_EX_HEADER : FLUSH_HEADER;
            if (ex) {
                long format = SimPage.Le.get(head, 16, 8);
                long valid = SimPage.Le.get(head, 24, 8);
                if (in.variableHeaderSize() != Long.bitCount(valid)) {
                    return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
                }
                if (format == VpSet.FORMAT_SPARSE_4K) {
                    if (in.variableHeaderSize() == 0) {
                        return reps; // "if (!hc->var_cnt) goto ret_success;": the list is never read.
                    }
                    memory.readPhysical(rdx + offset, 8 * in.variableHeaderSize());
                }
                offset += 8L * in.variableHeaderSize();
            }
            if (list && in.repCount() <= KVM_FLUSH_ENTRIES) {
                memory.readPhysical(Math.addExact(rdx, offset), 8 * in.repCount());
            }
        } catch (GuestFault | ArithmeticException f) {
            return HvStatus.result(HvStatus.INVALID_HYPERCALL_INPUT, 0);
        }
        return reps;
    }

    /**
     * The four flushes under Xen: fast → INVALID_PARAMETER; an unreadable input, or an Ex set of a
     * format other than 0/1 without ALL_PROCESSORS → INVALID_PARAMETER; otherwise SUCCESS with
     * reps completed = rep count for all four ({@code output->rep_complete = input->rep_count}).
     * The input value is not checked at all.
     */
    long flushXen(HypercallInput in, long rdx, GuestMemory memory) {
        boolean ex = isEx(in.code());
        if (in.fast()) {
            return HvStatus.result(HvStatus.INVALID_PARAMETER, 0);
        }
        try {
            byte[] head = memory.readPhysical(rdx, ex ? FLUSH_EX_HEADER : FLUSH_HEADER);
            if (ex) {
                long flags = SimPage.Le.get(head, 8, 8);
                long format = SimPage.Le.get(head, 16, 8);
                if ((flags & FLUSH_ALL_PROCESSORS) == 0 && format != VpSet.FORMAT_ALL) {
                    if (format != VpSet.FORMAT_SPARSE_4K) {
                        return HvStatus.result(HvStatus.INVALID_PARAMETER, 0);
                    }
                    memory.readPhysical(rdx + FLUSH_EX_HEADER, 8 * Long.bitCount(SimPage.Le.get(head, 24, 8)));
                }
            }
        } catch (GuestFault f) {
            return HvStatus.result(HvStatus.INVALID_PARAMETER, 0);
        }
        return HvStatus.result(HvStatus.SUCCESS, in.repCount());
    }

    // ---------------------------------------------------------------- IPI

    /**
     * SendSyntheticClusterIpi (and Ex) under the TLFS: fast Ex → INVALID_HYPERCALL_INPUT (24+
     * bytes); input alignment/page → INVALID_ALIGNMENT; Ex header not the bank count →
     * INVALID_HYPERCALL_INPUT; then INVALID_PARAMETER for a TargetVtl that does not name VTL 0
     * ({@link #targetVtlIsVtl0}) or padding other than 0, a vector outside 0x10–0xFF, or a set
     * format other than 0/1. VPs the
     * partition lacks are skipped, as KVM and Xen skip them.
     */
    int ipiTlfs(HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        boolean ex = in.code() == HvCalls.SEND_IPI_EX;
        long word0;
        VpSet set;
        if (in.fast()) {
            if (ex) {
                return HvStatus.INVALID_HYPERCALL_INPUT;
            }
            word0 = rdx;
            set = new VpSet(VpSet.FORMAT_SPARSE_4K, 1, new long[] {r8});
        } else {
            long bytes = (ex ? IPI_EX_HEADER : IPI_INPUT) + 8L * in.variableHeaderSize();
            if (HvCalls.badList(rdx, bytes)) {
                return HvStatus.INVALID_ALIGNMENT;
            }
            try {
                byte[] head = memory.readPhysical(rdx, ex ? IPI_EX_HEADER : IPI_INPUT);
                word0 = SimPage.Le.get(head, 0, 8);
                if (ex) {
                    long valid = SimPage.Le.get(head, 16, 8);
                    if (in.variableHeaderSize() != Long.bitCount(valid)) {
                        return HvStatus.INVALID_HYPERCALL_INPUT;
                    }
                    set = readSet(SimPage.Le.get(head, 8, 8), valid, rdx + IPI_EX_HEADER, memory);
                } else {
                    set = new VpSet(VpSet.FORMAT_SPARSE_4K, 1, new long[] {SimPage.Le.get(head, 8, 8)});
                }
            } catch (GuestFault f) {
                return HvStatus.INVALID_ALIGNMENT;
            }
        }
        int vector = (int) word0;
        if (!targetVtlIsVtl0((int) (word0 >>> 32) & 0xff) || (word0 >>> 40) != 0 || !validVector(vector)
                || set.format() != VpSet.FORMAT_SPARSE_4K && set.format() != VpSet.FORMAT_ALL) {
            return HvStatus.INVALID_PARAMETER;
        }
        send(set, vector, irqs);
        return HvStatus.SUCCESS;
    }

    /**
     * Under KVM ({@code kvm_hv_send_ipi()}): non-Ex fast with RDX bits 63:32 set → 3; slow reads
     * Vector and the mask only (TargetVtl and padding unchecked); Ex: fast → 3, header not the bank
     * count → 3, format 1 is all and any other format sparse, an empty sparse set → SUCCESS before
     * the vector is checked (ST stage 14); a vector outside 0x10–0xFF → INVALID_HYPERCALL_INPUT;
     * an unreadable input → INVALID_HYPERCALL_INPUT.
     */
    int ipiKvm(HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        boolean ex = in.code() == HvCalls.SEND_IPI_EX;
        int vector;
        VpSet set;
        try {
            if (!ex) {
                if (in.fast()) {
                    if ((rdx >>> 32) != 0) {
                        return HvStatus.INVALID_HYPERCALL_INPUT;
                    }
                    vector = (int) rdx;
                    set = new VpSet(VpSet.FORMAT_SPARSE_4K, 1, new long[] {r8});
                } else {
                    byte[] b = memory.readPhysical(rdx, IPI_INPUT);
                    vector = (int) SimPage.Le.get(b, 0, 4);
                    set = new VpSet(VpSet.FORMAT_SPARSE_4K, 1, new long[] {SimPage.Le.get(b, 8, 8)});
                }
            } else {
                if (in.fast()) {
                    return HvStatus.INVALID_HYPERCALL_INPUT;
                }
                byte[] head = memory.readPhysical(rdx, IPI_EX_HEADER);
                vector = (int) SimPage.Le.get(head, 0, 4);
                long format = SimPage.Le.get(head, 8, 8);
                long valid = SimPage.Le.get(head, 16, 8);
                if (in.variableHeaderSize() != Long.bitCount(valid)) {
                    return HvStatus.INVALID_HYPERCALL_INPUT;
                }
                if (format == VpSet.FORMAT_ALL) {
                    set = new VpSet(VpSet.FORMAT_ALL, 0, new long[0]);
                } else if (valid == 0) {
                    return HvStatus.SUCCESS;
                } else {
                    set = readSet(VpSet.FORMAT_SPARSE_4K, valid, rdx + IPI_EX_HEADER, memory);
                }
            }
        } catch (GuestFault f) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (!validVector(vector)) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        send(set, vector, irqs);
        return HvStatus.SUCCESS;
    }

    /**
     * Under Xen ({@code hvcall_ipi()}, {@code hvcall_ipi_ex()}): every failure is -EINVAL →
     * INVALID_PARAMETER: non-Ex fast with RDX bits 63:32 set; Ex fast; an unreadable input; a
     * TargetVtl or padding byte other than 0 (slow forms); a vector outside 0x10–0xFF (checked
     * before the set); a format other than 0/1. The variable header size is not checked.
     */
    int ipiXen(HypercallInput in, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> irqs) {
        boolean ex = in.code() == HvCalls.SEND_IPI_EX;
        try {
            if (!ex) {
                long word0;
                long mask;
                if (in.fast()) {
                    if ((rdx >>> 32) != 0) {
                        return HvStatus.INVALID_PARAMETER;
                    }
                    word0 = rdx;
                    mask = r8;
                } else {
                    byte[] b = memory.readPhysical(rdx, IPI_INPUT);
                    word0 = SimPage.Le.get(b, 0, 8);
                    mask = SimPage.Le.get(b, 8, 8);
                }
                if ((word0 >>> 32) != 0 || !validVector((int) word0)) {
                    return HvStatus.INVALID_PARAMETER;
                }
                send(new VpSet(VpSet.FORMAT_SPARSE_4K, 1, new long[] {mask}), (int) word0, irqs);
                return HvStatus.SUCCESS;
            }
            if (in.fast()) {
                return HvStatus.INVALID_PARAMETER;
            }
            byte[] head = memory.readPhysical(rdx, IPI_EX_HEADER);
            long word0 = SimPage.Le.get(head, 0, 8);
            if ((word0 >>> 32) != 0 || !validVector((int) word0)) {
                return HvStatus.INVALID_PARAMETER;
            }
            long format = SimPage.Le.get(head, 8, 8);
            if (format != VpSet.FORMAT_ALL && format != VpSet.FORMAT_SPARSE_4K) {
                return HvStatus.INVALID_PARAMETER;
            }
            VpSet set = format == VpSet.FORMAT_ALL
                    ? new VpSet(VpSet.FORMAT_ALL, 0, new long[0])
                    : readSet(format, SimPage.Le.get(head, 16, 8), rdx + IPI_EX_HEADER, memory);
            send(set, (int) word0, irqs);
            return HvStatus.SUCCESS;
        } catch (GuestFault f) {
            return HvStatus.INVALID_PARAMETER;
        }
    }

    private void send(VpSet set, int vector, Consumer<Interrupt> irqs) {
        for (int vp : set.members(p.vcpus())) {
            if (vp < p.vcpus()) {
                irqs.accept(new Interrupt(vp, vector, IPI_SOURCE));
            }
        }
    }

    private static VpSet readSet(long format, long valid, long bankGpa, GuestMemory memory) throws GuestFault {
        if (format != VpSet.FORMAT_SPARSE_4K) {
            return new VpSet(format, 0, new long[0]);
        }
        int n = Long.bitCount(valid);
        byte[] b = memory.readPhysical(bankGpa, 8 * n);
        List<Long> words = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            words.add(SimPage.Le.get(b, 8 * i, 8));
        }
        return new VpSet(format, valid, words.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * An HV_INPUT_VTL byte (TLFS datatypes/hv_input_vtl.md: TargetVtl 3:0, UseTargetVtl 4,
     * ReservedZ 7:5) the VTL-0-only model accepts: reserved bits clear, and TargetVtl 0 when
     * UseTargetVtl is set; without UseTargetVtl "the target VTL is ... the current caller's VTL",
     * so TargetVtl is ignored. (KVM never looks at the byte; Xen rejects any non-zero byte.)
     */
    static boolean targetVtlIsVtl0(int inputVtl) {
        if ((inputVtl & INPUT_VTL_RESERVED) != 0) {
            return false;
        }
        return (inputVtl & INPUT_VTL_USE_TARGET) == 0 || (inputVtl & INPUT_VTL_TARGET) == 0;
    }

    private static boolean validVector(int vector) {
        return vector >= IPI_LOW_VECTOR && vector <= IPI_HIGH_VECTOR;
    }

    static boolean isEx(int code) {
        return code == HvCalls.FLUSH_SPACE_EX || code == HvCalls.FLUSH_LIST_EX;
    }

    static boolean isList(int code) {
        return code == HvCalls.FLUSH_LIST || code == HvCalls.FLUSH_LIST_EX;
    }
}
