package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.hyperv.HypercallInput;
import dev.hcdiff.trace.abi.HvCallCode;
import dev.hcdiff.trace.record.Interrupt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;

/**
 * {@code viridian_hypercall()} and its handlers ({@code xen/arch/x86/hvm/viridian/viridian.c},
 * Xen 4.17.7), 64-bit mode: input value in RCX, input GPA (or fast parameter 1) in RDX, output GPA
 * (or fast parameter 2) in R8. Viridian checks none of the TLFS input-value rules (reserved bits,
 * rep counts, variable header) and no partition privilege: it switches on the call code alone.
 * Handlers return Xen errnos that the dispatcher maps to a status: 0 → SUCCESS, -EINVAL →
 * INVALID_PARAMETER, -EOPNOTSUPP → INVALID_HYPERCALL_CODE. {@code paging_flush_tlb()} never backs
 * off in a single-threaded model, so no call is preempted ({@code -ERESTART}).
 *
 * <p>The legal-environment check of {@code hvm_hypercall()} (-EPERM in RAX at CPL &gt; 0) needs
 * the caller's CPL, which a request does not carry; the recorder forwards CPL-0 calls only.
 */
final class ViridianHypercalls {

    /** {@code HV_FLUSH_ALL_PROCESSORS}, flags bit 0 (hyperv-tlfs.h). */
    static final long HV_FLUSH_ALL_PROCESSORS = 1L;
    /** {@code enum HV_GENERIC_SET_FORMAT}: SPARSE_4K 0, ALL 1. */
    static final long HV_GENERIC_SET_SPARSE_4K = 0, HV_GENERIC_SET_ALL = 1;
    /** {@code HVM_MAX_VCPUS} (xen/include/public/hvm/hvm_info_table.h): vpmask_set() stops there. */
    static final int HVM_MAX_VCPUS = 128;
    /** Flush input: address_space u64, flags u64, vcpu_mask u64. */
    static final int FLUSH_INPUT = 24;
    /** Flush-Ex input before the banks: address_space, flags, hv_vpset.format, .valid_bank_mask. */
    static final int FLUSH_EX_INPUT = 32;
    /** IPI input: vector u32, target_vtl u8, reserved_zero[3], vcpu_mask u64. */
    static final int IPI_INPUT = 16;
    /** IPI-Ex input before the banks: vector, target_vtl, reserved_zero[3], format, valid_bank_mask. */
    static final int IPI_EX_INPUT = 24;
    /** Valid IPI vectors: "if ( vector < 0x10 || vector > 0xff ) return -EINVAL". */
    static final int FIRST_VECTOR = 0x10, LAST_VECTOR = 0xff;
    /** The interrupt source name of a synthetic cluster IPI in an observation. */
    static final String IPI_SOURCE = "ipi";

    private final ViridianDomain d;

    ViridianHypercalls(ViridianDomain d) {
        this.d = d;
    }

    /** {@code union hypercall_output}: result u16, rep_complete in bits 43:32. */
    private static final class Output {
        int repComplete;
    }

    /**
     * {@code viridian_hypercall()}: the result value (RAX) for a call from {@code c.vcpu()}.
     */
    long hypercall(Call c, long rcx, long rdx, long r8) {
        HypercallInput input = new HypercallInput(rcx);
        Output output = new Output();
        int rc;
        HvCallCode code = HvCallCode.byCode(input.code()).orElse(null);
        if (code == null) {
            rc = unimplemented(c, input);
        } else {
            rc = switch (code) {
                case NOTIFY_LONG_SPIN_WAIT -> notifyLongSpinWait(c);
                case FLUSH_VIRTUAL_ADDRESS_SPACE, FLUSH_VIRTUAL_ADDRESS_LIST -> hvcallFlush(c, input, output, rdx);
                case FLUSH_VIRTUAL_ADDRESS_SPACE_EX, FLUSH_VIRTUAL_ADDRESS_LIST_EX -> hvcallFlushEx(c, input, output, rdx);
                case SEND_SYNTHETIC_CLUSTER_IPI -> hvcallIpi(c, input, rdx, r8);
                case SEND_SYNTHETIC_CLUSTER_IPI_EX -> hvcallIpiEx(c, input, rdx);
                default -> unimplemented(c, input);
            };
        }
        int status = switch (rc) {
            case 0 -> HvStatus.SUCCESS;
            case -EOPNOTSUPP -> HvStatus.INVALID_HYPERCALL_CODE;
            default -> HvStatus.INVALID_PARAMETER; // -EINVAL (and, after ASSERT_UNREACHABLE, anything else)
        };
        return HvStatus.result(status, output.repComplete);
    }

    /** HVCALL_NOTIFY_LONG_SPIN_WAIT: {@code do_sched_op(SCHEDOP_yield)}, which the guest cannot observe. */
    @Covers(call = "HvCallNotifyLongSpinWait", as = Realisation.MAPPED, via = "SCHEDOP_yield (vcpu_yield)")
    int notifyLongSpinWait(Call c) {
        c.out().trail("viridian: NotifyLongSpinWait -> SCHEDOP_yield");
        return 0;
    }

    /**
     * {@code hvcall_flush()} for FlushVirtualAddressSpace/List: never fast; the 24-byte input read
     * from the input GPA (-EINVAL if unreadable); all vCPUs with HV_FLUSH_ALL_PROCESSORS, else the
     * mask (0 flushes nobody); the GVA list is ignored ({@code paging_flush_tlb()} flushes whole
     * TLBs); rep_complete = rep_count even for the simple call.
     */
    @Covers(call = "HvCallFlushVirtualAddressSpace", as = Realisation.MAPPED, via = "paging_flush_tlb")
    @Covers(call = "HvCallFlushVirtualAddressList", as = Realisation.MAPPED, via = "paging_flush_tlb (full flush)")
    int hvcallFlush(Call c, HypercallInput input, Output output, long inputGpa) {
        if (input.fast()) {
            return -EINVAL;
        }
        byte[] in;
        try {
            in = c.memory().readPhysical(inputGpa, FLUSH_INPUT);
        } catch (GuestFault f) {
            return -EINVAL;
        }
        ByteBuffer b = le(in);
        long flags = b.getLong(8);
        BitSet mask = null;
        if ((flags & HV_FLUSH_ALL_PROCESSORS) == 0) {
            mask = new BitSet();
            vpmaskSet(mask, 0, b.getLong(16));
        }
        c.out().trail("viridian: flush -> paging_flush_tlb(" + (mask == null ? "all" : mask) + ")");
        output.repComplete = input.repCount();
        return 0;
    }

    /**
     * {@code hvcall_flush_ex()}: never fast; HV_FLUSH_ALL_PROCESSORS or format ALL flush all,
     * otherwise the sparse set is read ({@link #hvVpsetToVpmask}); rep_complete = rep_count.
     */
    @Covers(call = "HvCallFlushVirtualAddressSpaceEx", as = Realisation.MAPPED, via = "paging_flush_tlb")
    @Covers(call = "HvCallFlushVirtualAddressListEx", as = Realisation.MAPPED, via = "paging_flush_tlb (full flush)")
    int hvcallFlushEx(Call c, HypercallInput input, Output output, long inputGpa) {
        if (input.fast()) {
            return -EINVAL;
        }
        byte[] in;
        try {
            in = c.memory().readPhysical(inputGpa, FLUSH_EX_INPUT);
        } catch (GuestFault f) {
            return -EINVAL;
        }
        ByteBuffer b = le(in);
        long flags = b.getLong(8);
        long format = b.getLong(16);
        BitSet mask = null;
        if ((flags & HV_FLUSH_ALL_PROCESSORS) == 0 && format != HV_GENERIC_SET_ALL) {
            mask = new BitSet();
            int rc = hvVpsetToVpmask(c, format, b.getLong(24), inputGpa + FLUSH_EX_INPUT, mask);
            if (rc != 0) {
                return rc;
            }
        }
        c.out().trail("viridian: flush_ex -> paging_flush_tlb(" + (mask == null ? "all" : mask) + ")");
        output.repComplete = input.repCount();
        return 0;
    }

    /**
     * {@code hvcall_ipi()}: fast, RDX = vector (RDX[63:32] ≠ 0 is -EINVAL) and R8 = mask; slow,
     * the 16-byte input (-EINVAL if unreadable, or if target_vtl or a reserved byte is set); a
     * vector outside 0x10–0xFF is -EINVAL; then {@link #sendIpi}.
     */
    @Covers(call = "HvCallSendSyntheticClusterIpi", as = Realisation.MAPPED, via = "vlapic_set_irq")
    int hvcallIpi(Call c, HypercallInput input, long rdx, long r8) {
        long vector;
        long vcpuMask;
        if (input.fast()) {
            if ((rdx >>> 32) != 0) {
                return -EINVAL;
            }
            vector = rdx;
            vcpuMask = r8;
        } else {
            byte[] in;
            try {
                in = c.memory().readPhysical(rdx, IPI_INPUT);
            } catch (GuestFault f) {
                return -EINVAL;
            }
            if (in[4] != 0 || in[5] != 0 || in[6] != 0 || in[7] != 0) {
                return -EINVAL;
            }
            ByteBuffer b = le(in);
            vector = Integer.toUnsignedLong(b.getInt(0));
            vcpuMask = b.getLong(8);
        }
        if (vector < FIRST_VECTOR || vector > LAST_VECTOR) {
            return -EINVAL;
        }
        BitSet mask = new BitSet();
        vpmaskSet(mask, 0, vcpuMask);
        sendIpi(c, mask, (int) vector);
        return 0;
    }

    /**
     * {@code hvcall_ipi_ex()}: never fast; the 24-byte input (-EINVAL if unreadable, target_vtl or a
     * reserved byte set, or the vector outside 0x10–0xFF, checked before the set), then the VP set.
     */
    @Covers(call = "HvCallSendSyntheticClusterIpiEx", as = Realisation.MAPPED, via = "vlapic_set_irq")
    int hvcallIpiEx(Call c, HypercallInput input, long inputGpa) {
        if (input.fast()) {
            return -EINVAL;
        }
        byte[] in;
        try {
            in = c.memory().readPhysical(inputGpa, IPI_EX_INPUT);
        } catch (GuestFault f) {
            return -EINVAL;
        }
        if (in[4] != 0 || in[5] != 0 || in[6] != 0 || in[7] != 0) {
            return -EINVAL;
        }
        ByteBuffer b = le(in);
        long vector = Integer.toUnsignedLong(b.getInt(0));
        if (vector < FIRST_VECTOR || vector > LAST_VECTOR) {
            return -EINVAL;
        }
        BitSet mask = new BitSet();
        int rc = hvVpsetToVpmask(c, b.getLong(8), b.getLong(16), inputGpa + IPI_EX_INPUT, mask);
        if (rc != 0) {
            return rc;
        }
        sendIpi(c, mask, (int) vector);
        return 0;
    }

    /**
     * The calls viridian does not implement, and HvExtCallQueryCapabilities, which Windows issues
     * anyway: -EOPNOTSUPP, HV_STATUS_INVALID_HYPERCALL_CODE.
     */
    @Covers(call = "HvCallSwitchVirtualAddressSpace", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallGetVpRegisters", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallSetVpRegisters", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallPostMessage", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallSignalEvent", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallPostDebugData", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallRetrieveDebugData", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallResetDebugSession", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallStartVirtualProcessor", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallGetVpIndexFromApicId", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallFlushGuestPhysicalAddressSpace", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvCallFlushGuestPhysicalAddressList", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    @Covers(call = "HvExtCallQueryCapabilities", as = Realisation.GAP, gap = "viridian-unimplemented-hypercall")
    int unimplemented(Call c, HypercallInput input) {
        c.out().trail(String.format("viridian: unimplemented hypercall %04x", input.code()));
        return -EOPNOTSUPP;
    }

    /**
     * {@code send_ipi()}: {@code vlapic_set_irq()} on every vCPU of the set that exists and whose
     * vLAPIC is enabled, in ascending order.
     */
    private void sendIpi(Call c, BitSet mask, int vector) {
        for (int vp = mask.nextSetBit(0); vp >= 0 && vp < d.vcpus.length; vp = mask.nextSetBit(vp + 1)) {
            if (d.vlapic(vp).enabled()) {
                c.out().interrupt(new Interrupt(vp, vector, IPI_SOURCE));
            }
        }
    }

    /**
     * {@code hv_vpset_to_vpmask()}: format ALL fills the mask; SPARSE_4K reads one u64 bank per set
     * bit of {@code validBankMask} from {@code bankGpa} (-EINVAL if unreadable) and sets bank b's
     * bits at VP 64·b; any other format is -EINVAL.
     */
    private int hvVpsetToVpmask(Call c, long format, long validBankMask, long bankGpa, BitSet mask) {
        if (format == HV_GENERIC_SET_ALL) {
            mask.set(0, HVM_MAX_VCPUS);
            return 0;
        }
        if (format != HV_GENERIC_SET_SPARSE_4K) {
            return -EINVAL;
        }
        int banks = Long.bitCount(validBankMask);
        ByteBuffer contents;
        try {
            contents = le(c.memory().readPhysical(bankGpa, banks * Long.BYTES));
        } catch (GuestFault f) {
            return -EINVAL;
        }
        int bank = 0;
        int vp = 0;
        for (long m = validBankMask; m != 0; vp += Long.SIZE, m >>>= 1) {
            if ((m & 1) != 0) {
                vpmaskSet(mask, vp, contents.getLong(bank * Long.BYTES));
                bank++;
            }
        }
        return 0;
    }

    /** {@code vpmask_set()}: bit i of {@code bits} sets VP {@code vp + i}, stopping at HVM_MAX_VCPUS. */
    private static void vpmaskSet(BitSet mask, int vp, long bits) {
        for (long m = bits; m != 0; m >>>= 1, vp++) {
            if ((m & 1) != 0) {
                if (vp >= HVM_MAX_VCPUS) {
                    break;
                }
                mask.set(vp);
            }
        }
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
