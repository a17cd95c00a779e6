package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.XenDomain.Lookup;
import dev.hcdiff.oracle.xen.dispatch.HvmOpHandler;
import dev.hcdiff.oracle.xen.abi.HvmH;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenHvmPagetableDying;
import dev.hcdiff.oracle.xen.abi.XenHvmXentrace;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.VcpuState;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.HvmH.*;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * The hvm_op sub-ops of {@code xen/arch/x86/hvm/hvm.c} (Xen 4.17.7), one method per Xen function,
 * checks in Xen's order; the dispatcher copies structs in and out
 * ({@code dispatch/HvmOpDispatcher}).
 *
 * <p>The domain is HVM with HAP (hap=1, libxl's default), no altp2m, no monitor. dom0 is PV: an
 * HVM-only operation on it is -EINVAL where Xen checks {@code is_hvm_domain()} first.
 */
public final class HvmOp implements HvmOpHandler<Current> {

    /** The result of a call after which the domain never runs again (domain_crash from the call). */
    public static final long NO_RETURN = Long.MIN_VALUE;

    /**
     * {@code hvm_domain_irq(d)->nr_gsis} of a domU: NR_HVM_DOMU_IRQS = VIOAPIC_NUM_PINS = 48
     * (xen/arch/x86/hvm/hvm.c hvm_domain_initialise()).
     */
    static final int NR_GSIS = 48;

    private final XenDomain d;

    public HvmOp(XenDomain d) {
        this.d = d;
    }

    // ---- params ----

    /**
     * HVMOP_set_param after the copy: index ≥ HVM_NR_PARAMS (-EINVAL), the domain (-ESRCH), not HVM
     * (dom0: -EINVAL), then {@code hvm_set_param()}.
     *
     * @return 0, a negated errno, or {@link #NO_RETURN} when the call crashed the domain
     * @see xen/arch/x86/hvm/hvm.c hvmop_set_param
     */
    @Override
    public long hvmopSetParam(Current current, XenHvmParam a) {
        if (Integer.toUnsignedLong(a.index()) >= HVM_NR_PARAMS) {
            return current.error(EINVAL, "hvmop_set_param: index >= HVM_NR_PARAMS");
        }
        Lookup target = d.lockDomainByAnyId(a.domid());
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "hvmop_set_param: no domain " + a.domid());
        }
        if (target == Lookup.DOM0) {
            return current.error(EINVAL, "hvmop_set_param: dom0 is not HVM");
        }
        return hvmSetParam(current, a.index(), a.value());
    }

    /**
     * What the domain may set on itself: CALLBACK_IRQ, VM86_TSS(_SIZED), ACPI_IOPORTS_LOCATION,
     * VM_GENERATION_ID_ADDR, STORE_EVTCHN, CONSOLE_EVTCHN, X87_FIP_WIDTH; deprecated params are
     * -EINVAL; every other one -EPERM ("should not be set by the guest"). The once-only checks
     * that follow apply to params a domU cannot reach.
     *
     * @see xen/arch/x86/hvm/hvm.c hvm_allow_set_param
     */
    public static int hvmAllowSetParam(int index) {
        return switch (index) {
            case HVM_PARAM_CALLBACK_IRQ, HVM_PARAM_VM86_TSS, HVM_PARAM_VM86_TSS_SIZED,
                 HVM_PARAM_ACPI_IOPORTS_LOCATION, HVM_PARAM_VM_GENERATION_ID_ADDR, HVM_PARAM_STORE_EVTCHN,
                 HVM_PARAM_CONSOLE_EVTCHN, HVM_PARAM_X87_FIP_WIDTH -> 0;
            default -> deprecated(index) ? -EINVAL : -EPERM;
        };
    }

    /** The deprecated params both allow-lists refuse with -EINVAL. */
    private static boolean deprecated(int index) {
        return switch (index) {
            case HVM_PARAM_PAE_ENABLED, HVM_PARAM_DM_DOMAIN, HVM_PARAM_MEMORY_EVENT_CR0, HVM_PARAM_MEMORY_EVENT_CR3,
                 HVM_PARAM_MEMORY_EVENT_CR4, HVM_PARAM_MEMORY_EVENT_INT3, HVM_PARAM_NESTEDHVM,
                 HVM_PARAM_MEMORY_EVENT_SINGLE_STEP, HVM_PARAM_BUFIOREQ_EVTCHN, HVM_PARAM_MEMORY_EVENT_MSR -> true;
            default -> false;
        };
    }

    /**
     * The allow-list, then per param: CALLBACK_IRQ sets the callback, latches the shared_info
     * layout from the caller's mode and re-asserts every vCPU; VM86_TSS must fit 32 bits and is
     * stored as VM86_TSS_SIZED with the legacy 128-byte size; VM86_TSS_SIZED needs a size of at
     * least sizeof(struct tss32) and is capped; both crash the domain on a bad value set on
     * itself; ACPI_IOPORTS_LOCATION moves only between 0 and 1; X87_FIP_WIDTH is 0, 4 or 8. On
     * success the value is stored.
     *
     * @see xen/arch/x86/hvm/hvm.c hvm_set_param
     */
    long hvmSetParam(Current current, int index, long value) {
        int allow = hvmAllowSetParam(index);
        if (allow != 0) {
            return current.error(-allow, "hvm_allow_set_param: " + HvmH.paramName(index)
                    + (allow == -EINVAL ? " is deprecated" : " is not the guest's to set"));
        }
        long v = value;
        int idx = index;
        switch (index) {
            case HVM_PARAM_CALLBACK_IRQ -> {
                hvmSetCallbackVia(current, value);
                d.sharedInfo().latch(current.abi() == Abi.XEN64); // hvm_latch_shinfo_size()
            }
            case HVM_PARAM_ACPI_IOPORTS_LOCATION -> {
                long old = d.param(HVM_PARAM_ACPI_IOPORTS_LOCATION);
                if (value != old && (value ^ old) != 1) {
                    return current.error(EINVAL, "pmtimer_change_ioport: only 0 <-> 1");
                }
            }
            case HVM_PARAM_X87_FIP_WIDTH -> {
                if (value != 0 && value != 4 && value != 8) {
                    return current.error(EINVAL, "hvm_set_param: X87_FIP_WIDTH not 0, 4 or 8");
                }
                d.x87FipWidth = value;
            }
            case HVM_PARAM_VM86_TSS -> {
                if (value != (value & 0xFFFF_FFFFL)) {
                    return crash(current, "hvm_set_param: VM86_TSS above 4 GiB set by the domain itself");
                }
                if (value != 0) { // "Old hvmloader binaries hardcode the size to 128 bytes."
                    v |= (VM86_TSS_LEGACY_SIZE << 32) | VM86_TSS_UPDATED;
                }
                idx = HVM_PARAM_VM86_TSS_SIZED;
            }
            case HVM_PARAM_VM86_TSS_SIZED -> {
                if (Long.compareUnsigned(value >>> 32, TSS32_SIZE) < 0) {
                    return crash(current, "hvm_set_param: VM86_TSS_SIZED smaller than a TSS, set by the domain itself");
                }
                if ((value >>> 32) > VM86_TSS_MAX_SIZE) {
                    v = (value & 0xFFFF_FFFFL) | (VM86_TSS_MAX_SIZE << 32);
                }
                v |= VM86_TSS_UPDATED;
            }
            default -> {
                // STORE_EVTCHN, CONSOLE_EVTCHN, VM_GENERATION_ID_ADDR: stored as given.
            }
        }
        d.setParam(idx, v);
        return 0;
    }

    /** {@code domain_crash(d)} on a param the domain set on itself: it never runs again. */
    private long crash(Current current, String why) {
        int code = d.domainShutdown(SchedH.SHUTDOWN_crash);
        current.observed().shutdown(code);
        current.observed().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        current.note(why + " -> domain_crash");
        return NO_RETURN;
    }

    /**
     * Decodes the callback type (bits 63:56): GSI (0: none when the GSI is 0 or ≥ nr_gsis), PCI
     * INTx (device bits 15:11, pin bits 1:0), vector (bits 7:0); anything else is none. A domain
     * without a vLAPIC, vIOAPIC and vPIC (PVH) takes only a vector: any other type, none included,
     * returns at once and changes nothing. Then every vCPU is re-asserted
     * ({@code hvm_assert_evtchn_irq()}).
     *
     * @see xen/arch/x86/hvm/irq.c hvm_set_callback_via
     */
    void hvmSetCallbackVia(Current current, long via) {
        int type = (int) ((via >>> HVM_PARAM_CALLBACK_TYPE_SHIFT) & 0xFF);
        // "if ( via_type != HVMIRQ_callback_vector && (!has_vlapic(d) || !has_vioapic(d) ||
        // !has_vpic(d)) ) return;" (via_type = type + 1; via 0 and types > 2 are none).
        if (type != HVM_PARAM_CALLBACK_TYPE_VECTOR && !(d.hasVlapic() && d.hasVioapic() && d.hasVpic())) {
            current.note("hvm_set_callback_via: only a vector callback without vIOAPIC and vPIC; unchanged");
            return;
        }
        CallbackVia cv = switch (type) {
            case HVM_PARAM_CALLBACK_TYPE_GSI -> {
                int gsi = (int) (via & 0xFF);
                yield via == 0 || gsi == 0 || gsi >= NR_GSIS ? CallbackVia.NONE : new CallbackVia.Gsi(gsi);
            }
            case HVM_PARAM_CALLBACK_TYPE_PCI_INTX -> new CallbackVia.PciIntx((int) ((via >>> 11) & 31), (int) (via & 3));
            case HVM_PARAM_CALLBACK_TYPE_VECTOR -> new CallbackVia.Vector((int) (via & 0xFF));
            default -> CallbackVia.NONE;
        };
        d.setCallbackVia(cv);
        for (int i = 0; i < d.maxVcpus(); i++) {
            d.hvmAssertEvtchnIrq(current, d.vcpu(i));
        }
    }

    /**
     * HVMOP_get_param after the copy: index (-EINVAL), the domain (-ESRCH), not HVM (dom0:
     * -EINVAL), then the read allow-list: CALLBACK_IRQ, VM86_TSS(_SIZED), ACPI_IOPORTS_LOCATION,
     * VM_GENERATION_ID_ADDR, STORE_PFN, STORE_EVTCHN, CONSOLE_PFN, CONSOLE_EVTCHN, ALTP2M,
     * X87_FIP_WIDTH; deprecated -EINVAL; the rest -EPERM.
     *
     * @return the struct with its value, or the error in {@code rc}
     * @see xen/arch/x86/hvm/hvm.c hvmop_get_param
     */
    @Override
    public Result<XenHvmParam> hvmopGetParam(Current current, XenHvmParam a) {
        if (Integer.toUnsignedLong(a.index()) >= HVM_NR_PARAMS) {
            return Result.error(current.error(EINVAL, "hvmop_get_param: index >= HVM_NR_PARAMS"), a);
        }
        Lookup target = d.lockDomainByAnyId(a.domid());
        if (target == Lookup.NONE) {
            return Result.error(current.error(ESRCH, "hvmop_get_param: no domain " + a.domid()), a);
        }
        if (target == Lookup.DOM0) {
            return Result.error(current.error(EINVAL, "hvmop_get_param: dom0 is not HVM"), a);
        }
        int allow = hvmAllowGetParam(a.index());
        if (allow != 0) {
            return Result.error(current.error(-allow, "hvm_allow_get_param: " + HvmH.paramName(a.index())
                    + (allow == -EINVAL ? " is deprecated" : " is not the guest's to read")), a);
        }
        return Result.ok(a.withValue(hvmGetParam(a.index())));
    }

    /**
     * What the domain may read of itself (the list above); deprecated params -EINVAL, the rest -EPERM.
     * The adapter applies the same lists.
     *
     * @see xen/arch/x86/hvm/hvm.c hvm_allow_get_param
     */
    public static int hvmAllowGetParam(int index) {
        return switch (index) {
            case HVM_PARAM_CALLBACK_IRQ, HVM_PARAM_VM86_TSS, HVM_PARAM_VM86_TSS_SIZED,
                 HVM_PARAM_ACPI_IOPORTS_LOCATION, HVM_PARAM_VM_GENERATION_ID_ADDR, HVM_PARAM_STORE_PFN,
                 HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN, HVM_PARAM_ALTP2M,
                 HVM_PARAM_X87_FIP_WIDTH -> 0;
            default -> deprecated(index) ? -EINVAL : -EPERM;
        };
    }

    /** @see xen/arch/x86/hvm/hvm.c hvm_get_param */
    long hvmGetParam(int index) {
        return switch (index) {
            case HVM_PARAM_VM86_TSS -> d.param(HVM_PARAM_VM86_TSS_SIZED) & 0xFFFF_FFFFL;
            case HVM_PARAM_VM86_TSS_SIZED -> d.param(HVM_PARAM_VM86_TSS_SIZED) & ~VM86_TSS_UPDATED;
            case HVM_PARAM_X87_FIP_WIDTH -> d.x87FipWidth;
            default -> d.param(index);
        };
    }

    // ---- the other ops ----

    /**
     * After the copy: vector &lt; 0x10 (-EINVAL), the vCPU (-ENOENT); then the vector is stored and
     * the vCPU re-asserted (through its LAPIC, if enabled).
     *
     * @see xen/arch/x86/hvm/hvm.c hvmop_set_evtchn_upcall_vector
     */
    @Override
    public long hvmopSetEvtchnUpcallVector(Current current, XenHvmEvtchnUpcallVector op) {
        if (op.vector() < 0x10) {
            return current.error(EINVAL, "hvmop_set_evtchn_upcall_vector: vector < 0x10");
        }
        XenVcpu v = d.domainVcpu(op.vcpu());
        if (v == null) {
            return current.error(ENOENT, "hvmop_set_evtchn_upcall_vector: no vcpu " + Integer.toUnsignedString(op.vcpu()));
        }
        d.setEvtchnUpcallVector(v.vcpuId(), op.vector());
        d.hvmAssertEvtchnIrq(current, v);
        return 0;
    }

    /**
     * After the copy: the domain (-ESRCH), XSM_TARGET (dom0: -EPERM), then the type of the frame:
     * RAM (shared_info and grant frames included) is HVMMEM_ram_rw, everything else, direct MMIO
     * and holes, HVMMEM_mmio_dm.
     *
     * @see xen/arch/x86/hvm/hvm.c hvmop_get_mem_type
     */
    @Override
    public Result<XenHvmGetMemType> hvmopGetMemType(Current current, XenHvmGetMemType a) {
        Lookup target = d.lockDomainByAnyId(a.domid());
        if (target == Lookup.NONE) {
            return Result.error(current.error(ESRCH, "hvmop_get_mem_type: no domain " + a.domid()), a);
        }
        if (!d.xsmTargetAllows(target)) {
            return Result.error(current.error(EPERM, "xsm_hvm_param: XSM_TARGET on dom0"), a);
        }
        int type = d.p2m().isRam(a.pfn()) ? MemoryH.HVMMEM_ram_rw : MemoryH.HVMMEM_mmio_dm;
        return Result.ok(a.withMemType(type));
    }

    /**
     * After the copy: the domain (-ESRCH), another domain (-EOPNOTSUPP), then HAP: -EINVAL (only
     * shadow paging cares).
     *
     * @see xen/arch/x86/hvm/hvm.c do_hvm_op (HVMOP_pagetable_dying)
     */
    @Override
    public long pagetableDying(Current current, XenHvmPagetableDying a) {
        Lookup target = d.lockDomainByAnyId(a.domid());
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "HVMOP_pagetable_dying: no domain " + a.domid());
        }
        if (target != Lookup.SELF) {
            return current.error(EOPNOTSUPP, "HVMOP_pagetable_dying: not the calling domain");
        }
        return current.error(EINVAL, "HVMOP_pagetable_dying: HAP, not shadow paging");
    }

    /** HVMOP_get_time's {@code NOW()}: the virtual time of the call. */
    @Override
    public long nowNs(Current current) {
        return current.nowNs();
    }

    /**
     * After the copy: extra_bytes &gt; 28 or an event with subclass bits (-EINVAL); the trace
     * record itself is invisible to the guest.
     *
     * @see xen/arch/x86/hvm/hvm.c do_hvm_op (HVMOP_xentrace)
     */
    public static long xentrace(CallContext current, XenHvmXentrace tr) {
        if (tr.extraBytes() > XENTRACE_EXTRA_BYTES || (tr.event() & ~((1 << TRC_SUBCLS_SHIFT) - 1)) != 0) {
            return current.error(EINVAL, "HVMOP_xentrace: bad extra_bytes or event");
        }
        return 0;
    }
}
