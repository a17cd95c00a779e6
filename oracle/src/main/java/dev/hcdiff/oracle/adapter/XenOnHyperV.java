package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.DebugConsole;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HvMsr;
import dev.hcdiff.oracle.hyperv.HvPartition;
import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.hyperv.MsrResult;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.oracle.xen.platform.CpuidLeaves;
import dev.hcdiff.oracle.xen.platform.XenMsrs;
import dev.hcdiff.trace.abi.HvCallCode;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.VcpuState;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;

/**
 * A Xen HVM guest served by a Hyper-V partition through an adapter: the backend
 * {@code xen-on-hyperv} (design.md; hyperv-abi.md §8a). It holds an {@link HvPartition} and the
 * Xen-side state Hyper-V lacks ({@link AdapterState}: its own port table, the shared_info mirror,
 * shutdown and watchdog state) and answers every request the reference {@code xen} serves:
 * <ul>
 *   <li>CPUID: 0x40000000–0x400000FF are Hyper-V's leaves; Xen's move to 0x40000100, where Xen
 *       puts them when Viridian owns the base ({@code xen/arch/x86/cpuid.c}); guests scan in 0x100
 *       steps for "XenVMMXenVMM".</li>
 *   <li>MSRs: 0x40000000–0x400001FF are Hyper-V's synthetic MSRs (so 0x40000000 is GUEST_OS_ID);
 *       Xen's hypercall-page MSR moves to 0x40000200 ({@code xen/arch/x86/msr.c}).</li>
 *   <li>Xen hypercalls: one method per sub-op, mapped per the §8a table; each Hyper-V call
 *       issued is in the trail; Hyper-V status → Xen errno by {@link StatusMap}. What the reference
 *       leaves unmodelled (-ENOSYS, trail {@code "unmodelled"}) the adapter answers the same.</li>
 *   <li>Hyper-V hypercalls (hv64): the partition's own; the guest meets Hyper-V at 0x40000000.</li>
 *   <li>MMIO: the partition's LAPIC and IOAPIC ({@link AdapterPlatform}); port I/O: the platform's
 *       debug console ({@link DebugConsole}), not Xen's line buffer.</li>
 *   <li>The domain the toolstack built ({@code xen.domain}): for {@code xl-hvm} the same
 *       {@link dev.hcdiff.oracle.toolstack.XlHvmBuild} as the reference (params, e820, frames), its
 *       store and console channels bound to dom0's services in the root ({@link Dom0Services}),
 *       reached through root connections the adapter adds to {@code hyperv.ports}.</li>
 *   <li>shared_info: an overlay the adapter writes into guest RAM where the guest maps it
 *       ({@link #ownedPages()}); its vcpu_time_info comes from the partition's reference TSC page
 *       ({@link AdapterTime}); guest writes to it come back as {@link GuestWrite}s.</li>
 * </ul>
 * Deterministic and single-threaded, like every backend.
 */
public final class XenOnHyperV implements Backend {

    /** The backend name. */
    public static final String NAME = "xen-on-hyperv";
    /** Where Xen's CPUID leaves and hypercall-page MSR live under the adapter. */
    public static final int XEN_CPUID_BASE = CpuidH.XEN_CPUID_VIRIDIAN_BASE;
    public static final int XEN_MSR = CpuidH.XEN_MSR_VIRIDIAN_BASE;
    /** Hyper-V's CPUID range (TLFS: "0x40000000 through 0x400000FF"). */
    private static final int HV_CPUID_LAST = 0x400000FF;

    private final XenConfig xen;
    private final HvConfig hvConfig;
    private final HvPartition partition;
    private final AdapterState state;
    private final CpuidLeaves xenCpuid;
    private final XenMsrs xenMsrs;
    private final EventChannelOps evtchn;
    private final SchedOps sched;
    private final XenIdentity identity;
    private final AdapterConsole console;
    private final XenOnlyCalls xenOnly;
    private final MemoryOps memory;
    private final HvmOps hvm;

    /**
     * @param xen the Xen the guest expects (domid, vCPUs, version, port limit, vendor); its
     *            {@code cpuid-base} is ignored: under the adapter Xen always lives at 0x40000100
     * @param hv  the partition's configuration; the adapter's loopback connections (and, for an xl
     *            domain, its root connections to dom0's services) are added to its ports if absent
     * @throws IllegalArgumentException when the two disagree on vCPUs, vendor or TSC frequency, or a
     *                                  configured connection clashes with one the adapter needs
     */
    public XenOnHyperV(XenConfig xen, HvConfig hv) {
        if (hv.vcpus() != xen.vcpus()) {
            throw new IllegalArgumentException("hyperv.vcpus=" + hv.vcpus() + " but xen.vcpus=" + xen.vcpus()
                    + ": the adapter runs one Xen vCPU per Hyper-V VP");
        }
        CpuVendor vendor = xen.vendor();
        if (hv.vendor() != vendor) {
            throw new IllegalArgumentException("hyperv.vendor=" + hv.vendor().textName() + " but xen.vendor="
                    + xen.vendor().textName() + ": one CPU runs both");
        }
        if (hv.tscKhz() != xen.tscKhz()) {
            throw new IllegalArgumentException("hyperv.tsc-khz=" + hv.tscKhz() + " but xen.tsc-khz=" + xen.tscKhz()
                    + ": one CPU runs both");
        }
        this.xen = xen;
        this.hvConfig = hv.withPorts(HvLink.withRequiredPorts(hv.ports(), xen.vcpus(),
                Integer.toUnsignedLong(xen.maxEvtchnPort()) + 1, AdapterState.dom0Ports(xen)));
        this.partition = new HvPartition(hvConfig);
        this.state = new AdapterState(xen, partition);
        String[] v = xen.version().split("\\.");
        this.xenCpuid = new CpuidLeaves(XEN_CPUID_BASE, Integer.parseInt(v[0]), Integer.parseInt(v[1]), xen.tscKhz(), xen.domid());
        this.xenMsrs = new XenMsrs(XEN_MSR, xen.vendor(), state.shinfo);
        this.evtchn = new EventChannelOps(state);
        this.sched = new SchedOps(state, evtchn);
        this.identity = new XenIdentity(xen);
        this.console = new AdapterConsole(xen.build() == XenConfig.Build.DEBUG);
        this.xenOnly = new XenOnlyCalls(state);
        this.memory = new MemoryOps(state);
        this.hvm = new HvmOps(state, sched);
    }

    /**
     * The adapter for {@code xen} on a default TLFS partition with as many VPs, the same vendor and
     * the same TSC frequency.
     */
    public static XenOnHyperV of(XenConfig xen) {
        return new XenOnHyperV(xen, HvConfig.defaults().withVcpus(xen.vcpus())
                .withVendor(xen.vendor()).withTscKhz(xen.tscKhz()));
    }

    /**
     * Rebuilds an adapter from its {@link #configuration()}: {@code xen.*} and {@code hyperv.*} keys.
     *
     * @throws IllegalArgumentException for a key of neither prefix or a bad value
     */
    public static XenOnHyperV fromConfiguration(Map<String, String> config) {
        TreeMap<String, String> xenKeys = new TreeMap<>();
        TreeMap<String, String> hvKeys = new TreeMap<>();
        config.forEach((k, val) -> {
            if (k.startsWith("xen.")) {
                xenKeys.put(k, val);
            } else if (k.startsWith("hyperv.")) {
                hvKeys.put(k, val);
            } else {
                throw new IllegalArgumentException("unknown xen-on-hyperv configuration key '" + k + "' (expected xen.* or hyperv.*)");
            }
        });
        // One CPU runs both sides: what only one side names (a Hyper-V recording names the partition)
        // holds for the other.
        for (String[] same : new String[][]{{XenConfig.VCPUS, HvConfig.VCPUS}, {XenConfig.VENDOR, HvConfig.VENDOR},
                {XenConfig.TSC_KHZ, HvConfig.TSC_KHZ}}) {
            if (!xenKeys.containsKey(same[0]) && hvKeys.containsKey(same[1])) {
                xenKeys.put(same[0], hvKeys.get(same[1]));
            }
        }
        XenConfig x = XenConfig.fromMap(xenKeys);
        TreeMap<String, String> hvWithDefaults = new TreeMap<>();
        hvWithDefaults.put(HvConfig.VCPUS, Integer.toString(x.vcpus()));
        hvWithDefaults.put(HvConfig.VENDOR, x.vendor().textName());
        hvWithDefaults.put(HvConfig.TSC_KHZ, Integer.toString(x.tscKhz()));
        hvWithDefaults.putAll(hvKeys);
        return new XenOnHyperV(x, HvConfig.fromMap(hvWithDefaults));
    }

    /** The partition underneath, for tests and reports. */
    public HvPartition partition() {
        return partition;
    }

    /**
     * The partition's earliest synthetic timer: the adapter runs every Xen timer on a STIMER
     * ({@link TimerOps}), so a request served at that deadline fires it.
     */
    @Override
    public java.util.OptionalLong nextDeadlineNs() {
        return partition.nextTimerDeadlineNs();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The shared_info overlay's page while the guest has it mapped, as the reference reports Xen's. */
    @Override
    public SortedSet<Long> ownedPages() {
        long gpa = state.shinfo.mappedGpa();
        if (gpa < 0) {
            return Collections.emptySortedSet();
        }
        TreeSet<Long> s = new TreeSet<>();
        s.add(gpa);
        return Collections.unmodifiableSortedSet(s);
    }

    /** {@code xen.*} and {@code hyperv.*} (with the adapter's connections in {@code hyperv.ports}). */
    @Override
    public SortedMap<String, String> configuration() {
        TreeMap<String, String> m = new TreeMap<>(xen.toMap());
        m.putAll(hvConfig.toMap());
        return m;
    }

    /** @throws IllegalArgumentException for a vCPU the domain lacks */
    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        if (!state.vcpuExists(request.vcpu())) {
            throw new IllegalArgumentException("request from vCPU " + request.vcpu() + ", but xen.vcpus=" + xen.vcpus());
        }
        Observation.Builder out = Observation.builder();
        state.time.beforeRequest(state, request.vcpu(), nowNs, out);
        state.time.refresh(request.vcpu(), nowNs, out::trail);
        state.dom0.introduceOnce(memory, out::trail);
        switch (request) {
            case Hypercall h when h.abi() == Abi.HV64 -> hyperVHypercall(h, memory, out);
            case Hypercall h -> xenHypercall(new Call(h.vcpu(), h.abi(), nowNs, out), h, memory);
            case CpuidQuery q -> {
                boolean hvLeaf = Integer.compareUnsigned(q.leaf(), HvMsr.WINDOW_FIRST) >= 0
                        && Integer.compareUnsigned(q.leaf(), HV_CPUID_LAST) <= 0;
                int[] r = hvLeaf ? partition.cpuid(q.leaf(), q.subleaf()) : xenCpuid.query(q.vcpu(), q.leaf(), q.subleaf());
                out.returns(Integer.toUnsignedLong(r[0]), Integer.toUnsignedLong(r[1]),
                        Integer.toUnsignedLong(r[2]), Integer.toUnsignedLong(r[3]));
            }
            case MsrRead r -> {
                if (HvMsr.inWindow(r.index())) {
                    MsrResult m = partition.rdmsr(r.vcpu(), r.index(), nowNs);
                    if (m.faulted()) {
                        out.fault(m.fault());
                    } else {
                        out.returns(m.value());
                    }
                } else {
                    OptionalLong value = xenMsrs.read(r.index());
                    if (value.isPresent()) {
                        out.returns(value.getAsLong());
                    } else {
                        out.fault(Fault.GP);
                    }
                }
            }
            // Xen's page MSR latches the shared_info layout from the vCPU's mode (hvm_latch_shinfo_size()).
            case MsrWrite w -> out.fault(HvMsr.inWindow(w.index())
                    ? partition.wrmsr(w.vcpu(), w.index(), w.value(), memory).fault()
                    : xenMsrs.write(w.index(), w.value(), w.mode(), memory));
            case PortRead p -> out.returns(DebugConsole.in(p.port(), p.size()));
            case PortWrite p -> out.console(DebugConsole.out(p.port(), p.size(), p.value()));
            case MmioRead m -> out.returns(state.platform.mmioRead(m.vcpu(), m.gpa(), m.size()));
            case MmioWrite m -> {
                if (state.platform.mmioWrite(m.vcpu(), m.gpa(), m.size(), m.value())) {
                    // Software-enabling the LAPIC re-raises a pending upcall vector (as vlapic_reg_write() APIC_SPIV).
                    state.events.lapicEnabled(m.vcpu(), out);
                }
            }
            case GuestWrite g -> state.shinfo.applyGuestWrite(g.chunk());
        }
        try {
            state.shinfo.flush(memory);
        } catch (GuestFault f) {
            // The guest put the overlay where there is no RAM here: nothing the adapter writes reaches it.
            out.trail("shared_info overlay at 0x" + Long.toHexString(state.shinfo.mappedGpa())
                    + " is not guest RAM here: " + f.getMessage());
        }
        Observation o = out.build();
        if (o.vcpu().run() == VcpuState.Run.BLOCKED) {
            state.time.blocked(request.vcpu());
        }
        return o;
    }

    /** A Hyper-V hypercall from the guest: the partition serves it against guest memory. */
    private void hyperVHypercall(Hypercall h, GuestMemory memory, Observation.Builder out) {
        long result = partition.hypercall(h.vcpu(), h.call(), h.arg(0), h.arg(1), memory, out::interrupt);
        out.returns(result);
        int code = (int) (h.call() & 0xffff);
        out.trail(String.format("%s(input=0x%x) -> 0x%x %s",
                HvCallCode.byCode(code).map(HvCallCode::tlfsName).orElse(String.format("hvcall/0x%x", code)),
                h.call(), result, HvStatus.name(HvStatus.statusOf(result))));
    }

    /**
     * A Xen hypercall, numbered as the HVM table of {@code xen/include/hypercall-defs.c}: 64-bit
     * takes rax and rdi, rsi, rdx, r10, r8 whole, 32-bit the low halves; the 32-bit result is eax.
     */
    private void xenHypercall(Call c, Hypercall h, GuestMemory m) {
        boolean compat = h.abi() == Abi.XEN32;
        long nr = compat ? h.call() & 0xffffffffL : h.call();
        long[] a = new long[5];
        for (int i = 0; i < a.length; i++) {
            a[i] = compat ? h.arg(i) & 0xffffffffL : h.arg(i);
        }
        long rc;
        if ((nr & 0x80000000L) != 0 && nr <= 0xffffffffL) {
            // EAX bit 31 is Xen's Viridian path; the adapter serves Hyper-V calls through hv64 only.
            rc = c.unmodelled();
        } else if (nr > Integer.MAX_VALUE) {
            rc = c.error(ENOSYS, "hypercall " + Long.toUnsignedString(nr) + " not in the HVM table");
        } else {
            rc = switch ((int) nr) {
                case 7 -> xenOnly.platformOp(c, m, a[0]);
                case 12 -> memory.dispatch(c, a[0], a[1], m);
                case 17 -> identity.xenVersion(c, m, (int) a[0], a[1]);
                case 18 -> console.consoleIo(c, m, (int) a[0], (int) a[1], a[2]);
                case 21 -> xenOnly.vmAssist(c, (int) a[0], (int) a[1]);
                case 26 -> xenOnly.mmuextOp(c, m, a[0], (int) a[1], a[2], (int) a[3]);
                case 27 -> xenOnly.xsmOp(c);
                case 29 -> sched.dispatch(c, (int) a[0], a[1], m);
                case 32 -> evtchn.dispatch(c, (int) a[0], a[1], m);
                case 34 -> hvm.dispatch(c, a[0], a[1], m);
                case 35 -> xenOnly.sysctl(c, m, a[0]);
                case 36 -> xenOnly.domctl(c, m, a[0]);
                case 40 -> xenOnly.xenpmuOp(c);
                case 42 -> xenOnly.hypfsOp(c);
                case 15 -> TimerOps.setTimerOp(state, c, a[0], a[1]);
                case 24 -> VcpuOps.dispatch(state, c, (int) a[0], (int) a[1], a[2], m);
                // The reference leaves these unmodelled (multicall, grant_table_op, physdev_op,
                // dm_op, arch_1); so does the adapter.
                case 13, 20, 33, 41, 49 -> c.unmodelled();
                default -> notInHvmTable(c, nr);
            };
        }
        if (rc != SchedOps.NO_RETURN) {
            c.out().returns(compat ? rc & 0xffffffffL : rc);
        }
    }

    /**
     * A number the HVM column of {@code xen/include/hypercall-defs.c} does not list: PV-only or
     * obsolete calls, argo_op without CONFIG_ARGO, and unassigned numbers are -ENOSYS from Xen, and
     * so from the adapter.
     */
    @Covers(call = "set_trap_table", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "mmu_update", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "set_gdt", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "stack_switch", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "set_callbacks", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "fpu_taskswitch", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "sched_op_compat", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "set_debugreg", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "get_debugreg", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "update_descriptor", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "update_va_mapping", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "event_channel_op_compat", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "physdev_op_compat", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "update_va_mapping_otherdomain", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "iret", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "set_segment_base", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "nmi_op", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "callback_op", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "xenoprof_op", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "kexec_op", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "tmem_op", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    @Covers(call = "argo_op", as = Realisation.EMULATED, via = "adapter policy as Xen: not in the HVM hypercall table, -ENOSYS")
    private static long notInHvmTable(Call c, long nr) {
        return c.error(ENOSYS, "hypercall " + nr + " not in the HVM table");
    }
}
