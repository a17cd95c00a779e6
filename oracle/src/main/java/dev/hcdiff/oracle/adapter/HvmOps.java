package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.hyperv.HvTime;
import dev.hcdiff.oracle.adapter.AdapterState.Lookup;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.HvMsr;
import dev.hcdiff.oracle.hyperv.MsrResult;
import dev.hcdiff.oracle.xen.CallbackVia;
import dev.hcdiff.oracle.xen.HvmOp;
import dev.hcdiff.oracle.xen.Result;
import dev.hcdiff.oracle.xen.abi.HvmH;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenHvmPagetableDying;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.dispatch.HvmOpDecoder;
import dev.hcdiff.oracle.xen.dispatch.HvmOpHandler;
import dev.hcdiff.oracle.xen.platform.Vioapic;
import dev.hcdiff.trace.record.Abi;

import static dev.hcdiff.oracle.xen.abi.HvmH.*;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * hvm_op (34) under the adapter, hyperv-abi.md §8a: the HVM params are the toolstack's and the
 * guest's state, which Hyper-V does not have, so the adapter keeps them and answers with Xen's
 * allow-lists (the reference's own, {@link HvmOp#hvmAllowSetParam}, {@link HvmOp#hvmAllowGetParam}) and checks
 * in Xen's order ({@code xen/arch/x86/hvm/hvm.c do_hvm_op()},
 * {@code hvm_allow_set_param()}, {@code hvm_allow_get_param()}; xen-abi.md §5.9). What maps to
 * Hyper-V:
 * <ul>
 *   <li>CALLBACK_IRQ of type vector and HVMOP_set_evtchn_upcall_vector program the vector into the
 *       adapter's SINTs (WRMSR SINTx, in the trail) and become the adapter's upcall vector
 *       ({@link AdapterEvents}); GSI and PCI INTx callbacks are lines of the partition's IOAPIC,
 *       asserted by the root;</li>
 *   <li>STORE_* and CONSOLE_* come from the toolstack's state; the traffic they lead to travels on
 *       the root connections ({@link Dom0Services});</li>
 *   <li>HVMOP_get_time reads the partition's reference counter (TIME_REF_COUNT, 100 ns);</li>
 *   <li>a bad VM86 TSS the domain sets on itself crashes it, reported through the crash MSRs.</li>
 * </ul>
 * The rest is answered from the adapter's state: get_mem_type from its book of frames,
 * pagetable_dying as under HAP (a Hyper-V SLAT needs no hint either), flush_tlbs as done (a model
 * has no TLB; HvCallFlushVirtualAddressSpace is not in the Hyper-V model).
 */
final class HvmOps implements HvmOpHandler<Call> {

    private final AdapterState s;
    private final SchedOps sched;
    private final HvmOpDecoder<Call> decoder;

    HvmOps(AdapterState s, SchedOps sched) {
        this.s = s;
        this.sched = sched;
        this.decoder = new HvmOpDecoder<>(this);
    }

    /**
     * Xen's copies and checks ({@link HvmOpDecoder}, shared with the reference), then the sub-ops below.
     *
     * @return the result, or {@link SchedOps#NO_RETURN} when the call crashed the domain
     */
    @Covers(call = "HVMOP_xentrace", as = Realisation.EMULATED, via = "Xen's checks, shared with the reference; the record is invisible")
    @Covers(call = "HVMOP_flush_tlbs", as = Realisation.EMULATED, via = "done: a model has no TLB (HvCallFlushVirtualAddressSpace is not in the Hyper-V model)")
    @Covers(call = "HVMOP_guest_request_vm_event", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: nothing monitors the domain")
    @Covers(call = "HVMOP_altp2m", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: no altp2m, -EOPNOTSUPP")
    long dispatch(Call c, long op, long arg, GuestMemory m) {
        return decoder.doHvmOp(c, op, arg, m);
    }

    /** HVMOP_flush_tlbs: done, with no Hyper-V call (a model has no TLB). */
    @Override
    public long flushTlbs(Call c) {
        c.note("HVMOP_flush_tlbs: no Hyper-V call (HvCallFlushVirtualAddressSpace is not in the model; "
                + "a model has no TLB)");
        return 0;
    }

    /**
     * Xen: vector &lt; 0x10 (-EINVAL), the vCPU (-ENOENT); the vector is stored, programmed into the
     * VP's SINTs and raised at once through the LAPIC if it is enabled ({@code hvm_assert_evtchn_irq()}).
     */
    @Covers(call = "HVMOP_set_evtchn_upcall_vector", as = Realisation.MAPPED, via = "WRMSR SINTx of the VP (the vector), the adapter's upcall vector")
    @Override
    public long hvmopSetEvtchnUpcallVector(Call c, XenHvmEvtchnUpcallVector a) {
        if (a.vector() < 0x10) {
            return c.error(EINVAL, "set_evtchn_upcall_vector: vector < 0x10");
        }
        if (!s.vcpuExists(a.vcpu())) {
            return c.error(ENOENT, "set_evtchn_upcall_vector: no vcpu " + Integer.toUnsignedString(a.vcpu()));
        }
        s.events.setUpcallVector(a.vcpu(), a.vector());
        s.hv.programSintVector(a.vcpu(), a.vector(), c::note);
        s.events.assertUpcall(a.vcpu(), c.out());
        return 0;
    }

    /** Xen's {@code hvmop_set_param()}: index (-EINVAL), domain (-ESRCH), dom0 not HVM (-EINVAL), then the param. */
    @Covers(call = "HVMOP_set_param", as = Realisation.MAPPED, via = "adapter-held params with Xen's allow-list; CALLBACK_IRQ vector: WRMSR SINTx of every VP; a bad VM86 TSS crashes through the crash MSRs")
    @Override
    public long hvmopSetParam(Call c, XenHvmParam a) {
        if (Integer.toUnsignedLong(a.index()) >= HVM_NR_PARAMS) {
            return c.error(EINVAL, "set_param: index >= HVM_NR_PARAMS");
        }
        Lookup target = s.byAnyId(a.domid());
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "set_param: no domain " + a.domid());
        }
        if (target == Lookup.DOM0) {
            return c.error(EINVAL, "set_param: dom0 is not HVM");
        }
        int allow = HvmOp.hvmAllowSetParam(a.index());
        if (allow != 0) {
            return c.error(-allow, "set_param: " + HvmH.paramName(a.index())
                    + (allow == -EINVAL ? " is deprecated" : " is not the guest's to set"));
        }
        long value = a.value();
        long v = value;
        int idx = a.index();
        switch (a.index()) {
            case HVM_PARAM_CALLBACK_IRQ -> {
                setCallbackVia(c, value);
                // hvm_latch_shinfo_size(): the caller's mode picks the shared_info layout.
                s.shinfo.latch(c.abi() == Abi.XEN64);
            }
            case HVM_PARAM_ACPI_IOPORTS_LOCATION -> {
                long old = s.params[HVM_PARAM_ACPI_IOPORTS_LOCATION];
                if (value != old && (value ^ old) != 1) {
                    return c.error(EINVAL, "set_param: ACPI_IOPORTS_LOCATION moves only between 0 and 1");
                }
            }
            case HVM_PARAM_X87_FIP_WIDTH -> {
                if (value != 0 && value != 4 && value != 8) {
                    return c.error(EINVAL, "set_param: X87_FIP_WIDTH not 0, 4 or 8");
                }
                s.x87FipWidth = value;
            }
            case HVM_PARAM_VM86_TSS -> {
                if (value != (value & 0xFFFF_FFFFL)) {
                    return sched.crashDomain(c, SchedH.SHUTDOWN_crash, "set_param: VM86_TSS above 4 GiB set on itself");
                }
                if (value != 0) {
                    // "Old hvmloader binaries hardcode the size to 128 bytes."
                    v |= (VM86_TSS_LEGACY_SIZE << 32) | VM86_TSS_UPDATED;
                }
                idx = HVM_PARAM_VM86_TSS_SIZED;
            }
            case HVM_PARAM_VM86_TSS_SIZED -> {
                if (Long.compareUnsigned(value >>> 32, TSS32_SIZE) < 0) {
                    return sched.crashDomain(c, SchedH.SHUTDOWN_crash, "set_param: VM86_TSS_SIZED smaller than a TSS, set on itself");
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
        s.params[idx] = v;
        return 0;
    }

    /**
     * HVM_PARAM_CALLBACK_IRQ: type in bits 63:56. A vector goes into every VP's SINTs and becomes
     * the adapter's callback vector; GSI (none when 0 or beyond the IOAPIC's pins) and PCI INTx are
     * IOAPIC lines; any other type is none; a platform without an IOAPIC (PVH) takes only a vector
     * and ignores the rest. Every vCPU is then re-asserted.
     */
    private void setCallbackVia(Call c, long via) {
        int type = (int) ((via >>> HVM_PARAM_CALLBACK_TYPE_SHIFT) & 0xFF);
        if (type != HVM_PARAM_CALLBACK_TYPE_VECTOR && !s.platform.hasIoapic()) {
            // hvm_set_callback_via(): a domain without vIOAPIC and vPIC (PVH) takes only a vector.
            c.note("CALLBACK_IRQ: only a vector without an IOAPIC (PVH); unchanged");
            return;
        }
        CallbackVia cv = switch (type) {
            case HVM_PARAM_CALLBACK_TYPE_GSI -> {
                int gsi = (int) (via & 0xFF);
                yield via == 0 || gsi == 0 || gsi >= Vioapic.NR_PINS ? CallbackVia.NONE : new CallbackVia.Gsi(gsi);
            }
            case HVM_PARAM_CALLBACK_TYPE_PCI_INTX -> new CallbackVia.PciIntx((int) ((via >>> 11) & 31), (int) (via & 3));
            case HVM_PARAM_CALLBACK_TYPE_VECTOR -> new CallbackVia.Vector((int) (via & 0xFF));
            default -> CallbackVia.NONE;
        };
        s.events.setCallbackVia(cv);
        switch (cv) {
            case CallbackVia.Vector(int vector) -> {
                for (int v = 0; v < s.vcpus(); v++) {
                    s.hv.programSintVector(v, vector, c::note);
                }
            }
            case CallbackVia.None n -> c.note("CALLBACK_IRQ: no callback");
            default -> c.note("CALLBACK_IRQ: a line of the partition's IOAPIC, asserted by the root for vCPU 0");
        }
        for (int v = 0; v < s.vcpus(); v++) {
            s.events.assertUpcall(v, c.out());
        }
    }

    /** Xen's {@code hvmop_get_param()}: index, domain, dom0, the read allow-list, then the value. */
    @Covers(call = "HVMOP_get_param", as = Realisation.EMULATED, via = "adapter-held params and the toolstack's ring pages and ports")
    @Override
    public Result<XenHvmParam> hvmopGetParam(Call c, XenHvmParam a) {
        if (Integer.toUnsignedLong(a.index()) >= HVM_NR_PARAMS) {
            return Result.error(c.error(EINVAL, "get_param: index >= HVM_NR_PARAMS"), a);
        }
        Lookup target = s.byAnyId(a.domid());
        if (target == Lookup.NONE) {
            return Result.error(c.error(ESRCH, "get_param: no domain " + a.domid()), a);
        }
        if (target == Lookup.DOM0) {
            return Result.error(c.error(EINVAL, "get_param: dom0 is not HVM"), a);
        }
        int allow = HvmOp.hvmAllowGetParam(a.index());
        if (allow != 0) {
            return Result.error(c.error(-allow, "get_param: " + HvmH.paramName(a.index())
                    + (allow == -EINVAL ? " is deprecated" : " is not the guest's to read")), a);
        }
        long value = switch (a.index()) {
            case HVM_PARAM_VM86_TSS -> s.params[HVM_PARAM_VM86_TSS_SIZED] & 0xFFFF_FFFFL;
            case HVM_PARAM_VM86_TSS_SIZED -> s.params[HVM_PARAM_VM86_TSS_SIZED] & ~VM86_TSS_UPDATED;
            case HVM_PARAM_X87_FIP_WIDTH -> s.x87FipWidth;
            default -> s.params[a.index()];
        };
        switch (a.index()) {
            case HVM_PARAM_STORE_PFN, HVM_PARAM_CONSOLE_PFN -> c.note("get_param: the toolstack's ring page (no Hyper-V call)");
            case HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_EVTCHN -> c.note(
                    "get_param: the toolstack's port, bound to dom0 over a root connection of the partition");
            default -> {
            }
        }
        return Result.ok(a.withValue(value));
    }

    /** Xen: domain (-ESRCH), XSM_TARGET (dom0: -EPERM); RAM (the overlay included) is ram_rw, the rest mmio_dm. */
    @Covers(call = "HVMOP_get_mem_type", as = Realisation.EMULATED, via = "the adapter's book of frames")
    @Override
    public Result<XenHvmGetMemType> hvmopGetMemType(Call c, XenHvmGetMemType a) {
        Lookup target = s.byAnyId(a.domid());
        if (target == Lookup.NONE) {
            return Result.error(c.error(ESRCH, "get_mem_type: no domain " + a.domid()), a);
        }
        if (target == Lookup.DOM0) {
            return Result.error(c.error(EPERM, "get_mem_type: XSM_TARGET on dom0"), a);
        }
        AdapterPhysmap.Kind k = s.physmap.kindAt(a.pfn());
        boolean ram = k == AdapterPhysmap.Kind.RAM || k == AdapterPhysmap.Kind.SHARED_INFO;
        return Result.ok(a.withMemType(ram ? MemoryH.HVMMEM_ram_rw : MemoryH.HVMMEM_mmio_dm));
    }

    /** Xen: domain (-ESRCH), another domain (-EOPNOTSUPP), then -EINVAL: second-level paging needs no hint. */
    @Covers(call = "HVMOP_pagetable_dying", as = Realisation.EMULATED, via = "adapter policy as Xen under HAP: SLAT needs no hint, -EINVAL")
    @Override
    public long pagetableDying(Call c, XenHvmPagetableDying a) {
        Lookup target = s.byAnyId(a.domid());
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "pagetable_dying: no domain " + a.domid());
        }
        if (target != Lookup.SELF) {
            return c.error(EOPNOTSUPP, "pagetable_dying: not the calling domain");
        }
        return c.error(EINVAL, "pagetable_dying: the partition uses SLAT, as Xen's HAP: no hint needed");
    }

    /**
     * HVMOP_get_time's NOW() in ns: the adapter reads TIME_REF_COUNT (100 ns since partition
     * creation, where it puts Xen's time 0) and multiplies by 100: exact units, 100 ns resolution
     * (catalogued as {@code hyperv-clock-100ns}). The copy out is Xen's ({@link HvmOpDecoder}).
     */
    @Covers(call = "HVMOP_get_time", as = Realisation.MAPPED, via = "RDMSR HV_X64_MSR_TIME_REF_COUNT (100 ns) x 100", gap = "hyperv-clock-100ns")
    @Override
    public long nowNs(Call c) {
        MsrResult r = s.hv.readRefCount(c.vcpu(), c.nowNs());
        c.note(String.format("RDMSR TIME_REF_COUNT (0x%x) -> %s", HvMsr.TIME_REF_COUNT,
                r.faulted() ? "#GP" : "0x" + Long.toHexString(r.value())));
        return r.faulted() ? 0 : r.value() * HvTime.NS_PER_TICK;
    }
}
