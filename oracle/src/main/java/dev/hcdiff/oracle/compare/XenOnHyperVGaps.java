package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.hyperv.HvTime;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;

/**
 * Known gaps between the reference Xen model ({@code xen}) and Xen served through the
 * Xen-to-Hyper-V adapter ({@code xen-on-hyperv}): hyperv-abi.md §8a. Each matcher names the request
 * exactly and accepts only the fields the gap can change, so a second difference on the same call
 * stays {@code new}.
 */
final class XenOnHyperVGaps {

    private XenOnHyperVGaps() {
    }

    /** {@code __HYPERVISOR_console_io} (xen/include/public/xen.h). */
    private static final long CONSOLE_IO = 18;
    /** {@code __HYPERVISOR_memory_op}, {@code __HYPERVISOR_hvm_op} (xen/include/public/xen.h). */
    private static final long MEMORY_OP = 12, HVM_OP = 34;
    /** XENMEM_* (xen/include/public/memory.h) and the cmd encoding op | start_extent &lt;&lt; 6. */
    private static final int XENMEM_increase_reservation = 0, XENMEM_decrease_reservation = 1,
            XENMEM_populate_physmap = 6, XENMEM_add_to_physmap = 7,
            MEMOP_EXTENT_SHIFT = 6, MEMOP_CMD_MASK = 0x3f;
    /** HVMOP_get_time (xen/include/public/hvm/hvm_op.h). */
    private static final int HVMOP_get_time = 10;
    /**
     * vcpu_info[v].time.system_time inside shared_info: vcpu_info is 64 bytes (32 of them), time at
     * +32, system_time at +16 of it, a u64 (xen/include/public/xen.h; xen-abi.md §6).
     */
    private static final int VCPU_INFO_SIZE = 64, LEGACY_VCPUS = 32, SYSTEM_TIME = 32 + 16;
    /**
     * How far a time derived from the reference counter may trail Xen's ns: one 100 ns tick of
     * resolution plus one TSC period, which is under 100 ns for any TSC faster than 10 MHz
     * (hyperv-abi.md §7).
     */
    private static final long CLOCK_SLACK_NS = 2 * HvTime.NS_PER_TICK;
    /** {@code CONSOLEIO_write} (xen/include/public/xen.h). */
    private static final int CONSOLEIO_WRITE = 0;
    /** Hyper-V's CPUID range and where the adapter moves Xen's leaves (TLFS; xen/arch/x86/cpuid.c). */
    private static final int HV_CPUID_FIRST = 0x40000000, HV_CPUID_LAST = 0x400000FF,
            XEN_RELOCATED_FIRST = 0x40000100, XEN_RELOCATED_LAST = 0x400001FF;
    /** Xen's hypercall-page MSR without Viridian, and with it (xen/arch/x86/msr.c). */
    private static final int XEN_MSR = 0x40000000, XEN_MSR_RELOCATED = 0x40000200;
    /** The rest of Hyper-V's synthetic MSR window (TLFS App. C). */
    private static final int HV_MSR_FIRST = 0x40000001, HV_MSR_LAST = 0x400001FF;
    /** The debug console port (Xen XEN_HVM_DEBUGCONS_IOPORT). */
    private static final int DEBUG_PORT = 0xE9;
    /** HV_STATUS codes (TLFS App. B) that mean "this hypervisor does not offer the call to this partition". */
    private static final int HV_INVALID_HYPERCALL_CODE = 0x2, HV_ACCESS_DENIED = 0x6;
    /** A Hyper-V call in the adapter's trail: {@code HvCallX(...) -> 0x<result>}. */
    private static final Pattern HV_CALL_TRAIL = Pattern.compile("^HvCall\\w+\\(.*\\) -> 0x([0-9a-f]+)$");

    static List<KnownDivergence> entries() {
        return List.of(
                new KnownDivergence("console-io-adapter-log",
                        "Hyper-V has no console hypercall (consoles are VMBus devices, PostDebugData is KDNET), so the adapter "
                                + "logs CONSOLEIO_write itself and returns 0 where Xen refuses a domU with -EPERM (release) "
                                + "or filters the bytes (debug)",
                        XenOnHyperVGaps::consoleIoAdapterLog),
                new KnownDivergence("xen-cpuid-relocated",
                        "Hyper-V owns CPUID 0x40000000-0x400000FF, so the adapter puts Xen's leaves at 0x40000100 "
                                + "as Xen does with Viridian; a guest scanning in 0x100 steps still finds XenVMMXenVMM",
                        XenOnHyperVGaps::xenCpuidRelocated),
                new KnownDivergence("xen-hypercall-msr-relocated",
                        "MSR 0x40000000 is Hyper-V's GUEST_OS_ID under the adapter (no page written), and Xen's "
                                + "hypercall-page MSR moves to 0x40000200 as CPUID 0x40000102 EBX says, as Xen does with Viridian",
                        XenOnHyperVGaps::xenHypercallMsrRelocated),
                new KnownDivergence("hyperv-msr-window",
                        "MSRs 0x40000001-0x400001FF are Hyper-V's synthetic MSRs under the adapter; a Xen domain "
                                + "without Viridian raises #GP for them",
                        XenOnHyperVGaps::hypervMsrWindow),
                new KnownDivergence("debug-port-e9-unfiltered",
                        "Xen handles port 0xE9 itself (hvm_print_line: printable bytes only, 200-byte lines); Hyper-V "
                                + "has no port I/O, so under the adapter the platform's debug console passes bytes unchanged",
                        XenOnHyperVGaps::debugPortUnfiltered),
                new KnownDivergence("hyperv-call-unavailable",
                        "the partition does not offer the Hyper-V call a Xen operation maps to (HV_STATUS "
                                + "INVALID_HYPERCALL_CODE or ACCESS_DENIED, e.g. SignalEvent under Xen viridian); the "
                                + "adapter's reverse map (adapter policy, hyperv-abi.md §8a) returns -ENOSYS or -EPERM",
                        XenOnHyperVGaps::hypervCallUnavailable),
                new KnownDivergence("memory-reservation-no-hyperv-call",
                        "a Hyper-V guest cannot change its partition's memory (GPA mapping is the parent's, ballooning "
                                + "is VMBus Dynamic Memory), so increase/decrease_reservation and populate_physmap do no "
                                + "extent under the adapter and return start_extent, where Xen allocates, frees or maps pages",
                        XenOnHyperVGaps::memoryReservationNoHypervCall),
                new KnownDivergence("physmap-move-root-only",
                        "moving guest RAM to another frame (add_to_physmap gmfn/gmfn_range) needs HvCallMapGpaPages, "
                                + "which only the parent may call: the adapter returns -EOPNOTSUPP where Xen moves the page",
                        XenOnHyperVGaps::physmapMoveRootOnly),
                new KnownDivergence("grant-table-no-hyperv-mapping",
                        "grant frames would be mapped into the guest's GPA space, which only the parent may do "
                                + "(VMBus GPADLs are a host protocol): the adapter presents a Xen without grant tables, "
                                + "whose add_to_physmap(grant_table) is -EINVAL",
                        XenOnHyperVGaps::grantTableNoHypervMapping),
                new KnownDivergence("hyperv-clock-100ns",
                        "Hyper-V's clock counts 100 ns since partition creation (reference counter, TSC page); Xen's "
                                + "system time is ns, so HVMOP_get_time and vcpu_time_info.system_time derived from it "
                                + "are a multiple of 100 ns and up to one tick and one TSC period early",
                        XenOnHyperVGaps::hypervClock100ns),
                new KnownDivergence("hyperv-timer-100ns",
                        "the adapter runs Xen's single-shot and periodic timers on Hyper-V synthetic timers, whose COUNT is "
                                + "in 100 ns units of reference time: a Xen deadline in ns is armed rounded up to the next "
                                + "100 ns (never early), up to 99 ns after Xen's",
                        XenOnHyperVGaps::hypervTimer100ns));
    }

    /**
     * Only the timers differ, entry for entry: same vCPU, timer and period, and each deadline that
     * differs is the reference's rounded up to a multiple of 100 ns (TLFS STIMER COUNT units).
     */
    static boolean hypervTimer100ns(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!fields.equals(EnumSet.of(Field.TIMERS)) || ref.timers().size() != adapter.timers().size()) {
            return false;
        }
        for (int i = 0; i < ref.timers().size(); i++) {
            var r = ref.timers().get(i);
            var a = adapter.timers().get(i);
            if (r.vcpu() != a.vcpu() || !r.timer().equals(a.timer()) || r.periodNs() != a.periodNs()) {
                return false;
            }
            if (r.deadlineNs() != a.deadlineNs() && !(r.deadlineNs() >= 0 && a.deadlineNs() % HvTime.NS_PER_TICK == 0
                    && a.deadlineNs() > r.deadlineNs() && a.deadlineNs() - r.deadlineNs() < HvTime.NS_PER_TICK)) {
                return false;
            }
        }
        return true;
    }

    /**
     * memory_op increase/decrease_reservation or populate_physmap where the adapter returned exactly
     * start_extent (no extent done) and wrote nothing the reference did not; the reference did more
     * extents (or crashed the domain on a bad frame). Only result, writes, shutdown and vCPU may differ.
     */
    static boolean memoryReservationNoHypervCall(GuestRequest request, Set<Field> fields, Observation ref,
                                                 Observation adapter) {
        if (!(request instanceof Hypercall h) || h.abi() == Abi.HV64 || xenNumber(h) != MEMORY_OP
                || !only(fields, Field.RESULT, Field.WRITES, Field.SHUTDOWN, Field.VCPU)) {
            return false;
        }
        long cmd = xenArg(h, 0);
        int op = (int) (cmd & MEMOP_CMD_MASK);
        if (op != XENMEM_increase_reservation && op != XENMEM_decrease_reservation && op != XENMEM_populate_physmap) {
            return false;
        }
        long start = cmd >>> MEMOP_EXTENT_SHIFT;
        return adapter.returns().length == 1 && xenRc(h, adapter) == start && adapter.shutdown() == Observation.NO_SHUTDOWN
                && (ref.returns().length == 0 || Long.compareUnsigned(xenRc(h, ref), start) > 0)
                && subsequence(adapter.writes(), ref.writes());
    }

    /**
     * add_to_physmap (space gmfn or gmfn_range), which Xen completed with 0 and the adapter refused
     * with -EOPNOTSUPP, its trail naming the parent-only mapping; only the result differs. (The space
     * is not in the registers: the adapter's account of the call says which it was.)
     */
    static boolean physmapMoveRootOnly(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof Hypercall h) || h.abi() == Abi.HV64 || xenNumber(h) != MEMORY_OP
                || (int) (xenArg(h, 0) & MEMOP_CMD_MASK) != XENMEM_add_to_physmap
                || !fields.equals(EnumSet.of(Field.RESULT)) || xenRc(h, ref) != 0 || xenRc(h, adapter) != -EOPNOTSUPP) {
            return false;
        }
        return adapter.trail().stream().anyMatch(t -> t.startsWith("add_to_physmap: moving RAM"));
    }

    /**
     * add_to_physmap that Xen completed with 0 and the adapter refused with -EINVAL, where the
     * adapter's trail names the grant-table space; only the result differs. (The space is not in
     * the request's registers, so the adapter's account of the call is what says which it was.)
     */
    static boolean grantTableNoHypervMapping(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof Hypercall h) || h.abi() == Abi.HV64 || xenNumber(h) != MEMORY_OP
                || (int) (xenArg(h, 0) & MEMOP_CMD_MASK) != XENMEM_add_to_physmap
                || !fields.equals(EnumSet.of(Field.RESULT)) || xenRc(h, ref) != 0 || xenRc(h, adapter) != -EINVAL) {
            return false;
        }
        return adapter.trail().stream().anyMatch(t -> t.startsWith("add_to_physmap: grant_table:"));
    }

    /**
     * Only writes differ, chunk for chunk at the same addresses and lengths, and every difference
     * lies in one 8-byte time value: the whole output of HVMOP_get_time, or a vcpu_info's
     * time.system_time in a page's shared_info layout. The adapter's value is a multiple of 100 ns,
     * not later than the reference's and at most {@link #CLOCK_SLACK_NS} earlier.
     */
    static boolean hypervClock100ns(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!fields.equals(EnumSet.of(Field.WRITES)) || ref.writes().size() != adapter.writes().size()) {
            return false;
        }
        boolean getTime = request instanceof Hypercall h && h.abi() != Abi.HV64 && xenNumber(h) == HVM_OP
                && xenArg(h, 0) == HVMOP_get_time;
        for (int i = 0; i < ref.writes().size(); i++) {
            MemChunk a = ref.writes().get(i);
            MemChunk b = adapter.writes().get(i);
            if (a.gpa() != b.gpa() || a.length() != b.length()) {
                return false;
            }
            if (a.equals(b)) {
                continue;
            }
            if (!(getTime && a.length() == 8 && clockValue(a, b, 0)) && !systemTimesOnly(a, b)) {
                return false;
            }
        }
        return true;
    }

    /** Every differing byte of the chunk pair lies in a vcpu_info's system_time, each a clock value. */
    private static boolean systemTimesOnly(MemChunk ref, MemChunk adapter) {
        long page = ref.gpa() & ~0xfffL;
        for (int off = 0; off < ref.length(); off++) {
            if (ref.byteAt(off) == adapter.byteAt(off)) {
                continue;
            }
            long inPage = ref.gpa() + off - page;
            if (inPage >= (long) VCPU_INFO_SIZE * LEGACY_VCPUS) {
                return false;
            }
            long field = inPage - inPage % VCPU_INFO_SIZE + SYSTEM_TIME;
            int at = (int) (page + field - ref.gpa());
            if (inPage < field || inPage >= field + 8 || at < 0 || at + 8 > ref.length() || !clockValue(ref, adapter, at)) {
                return false;
            }
            off = at + 7;
        }
        return true;
    }

    /** The u64 at {@code at}: the adapter's a multiple of 100, at most the slack before the reference's. */
    private static boolean clockValue(MemChunk ref, MemChunk adapter, int at) {
        long r = u64(ref, at);
        long a = u64(adapter, at);
        return a % HvTime.NS_PER_TICK == 0 && Long.compareUnsigned(a, r) <= 0 && r - a <= CLOCK_SLACK_NS;
    }

    private static long u64(MemChunk c, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (c.byteAt(at + i) & 0xff);
        }
        return v;
    }

    /** True when every chunk of {@code part} appears in {@code whole}, in order. */
    private static boolean subsequence(List<MemChunk> part, List<MemChunk> whole) {
        int j = 0;
        for (MemChunk c : part) {
            while (j < whole.size() && !whole.get(j).equals(c)) {
                j++;
            }
            if (j == whole.size()) {
                return false;
            }
            j++;
        }
        return true;
    }

    /** Argument register {@code i} as the ABI reads it (the low half for 32-bit callers). */
    private static long xenArg(Hypercall h, int i) {
        return h.abi() == Abi.XEN32 ? h.arg(i) & 0xffffffffL : h.arg(i);
    }

    /** console_io/CONSOLEIO_write; only result and console differ; Xen refused or filtered, the adapter logged. */
    static boolean consoleIoAdapterLog(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof Hypercall h) || h.abi() == Abi.HV64 || xenNumber(h) != CONSOLE_IO
                || (int) h.arg(0) != CONSOLEIO_WRITE || !only(fields, Field.RESULT, Field.CONSOLE)) {
            return false;
        }
        long refRc = xenRc(h, ref);
        long adapterRc = xenRc(h, adapter);
        boolean refused = refRc == -EPERM && ref.console().length == 0 && (adapterRc == 0 || adapterRc == -EFAULT);
        boolean filtered = refRc == 0 && adapterRc == 0 && fields.equals(EnumSet.of(Field.CONSOLE));
        return refused || filtered;
    }

    /** "Microsoft Hv" in EBX, ECX, EDX of leaf 0x40000000 (TLFS "Hypervisor Discovery"). */
    private static final long HV_SIGNATURE_EBX = 0x7263694dL, HV_SIGNATURE_ECX = 0x666f736fL, HV_SIGNATURE_EDX = 0x76482074L;
    /** "XenVMMXenVMM" in EBX, ECX, EDX of leaf base+0 (xen/include/public/arch-x86/cpuid.h XEN_CPUID_SIGNATURE_*). */
    private static final long XEN_SIGNATURE_EBX = 0x566e6558L;
    private static final long XEN_SIGNATURE_ECX = 0x65584d4dL;
    private static final long XEN_SIGNATURE_EDX = 0x4d4d566eL;

    /** CPUID in Hyper-V's range (Hyper-V's leaves) or in 0x40000100.. where Xen had nothing; only the registers differ. */
    static boolean xenCpuidRelocated(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof CpuidQuery q) || !fields.equals(EnumSet.of(Field.RESULT))) {
            return false;
        }
        long[] x = ref.returns();
        long[] r = adapter.returns();
        if (in(q.leaf(), HV_CPUID_FIRST, HV_CPUID_LAST)) {
            // A replay with the guest's own discovery (XenDiscovery) asks the adapter the same Xen
            // leaf at 0x40000100: only the base-relative values may differ, each by the relocation.
            if (x.length == 4 && r.length == 4 && x[1] == r[1] && x[2] == r[2] && x[3] == r[3]
                    && q.leaf() == HV_CPUID_FIRST && x[1] == XEN_SIGNATURE_EBX && r[0] == x[0] + (XEN_RELOCATED_FIRST - HV_CPUID_FIRST)) {
                return true;
            }
            if (x.length == 4 && r.length == 4 && x[0] == r[0] && x[2] == r[2] && x[3] == r[3]
                    && q.leaf() == HV_CPUID_FIRST + 2 && x[1] == XEN_MSR && r[1] == XEN_MSR_RELOCATED) {
                return true;
            }
            // Asked as is, 0x40000000.. are Hyper-V's leaves under the adapter: its vendor leaf must be Hyper-V's.
            return q.leaf() != HV_CPUID_FIRST
                    || (r.length == 4 && r[1] == HV_SIGNATURE_EBX && r[2] == HV_SIGNATURE_ECX && r[3] == HV_SIGNATURE_EDX);
        }
        if (!in(q.leaf(), XEN_RELOCATED_FIRST, XEN_RELOCATED_LAST) || !allZero(x)) {
            return false;
        }
        // The two relocated leaves whose content says where Xen is must say it right (xen-abi.md §2,
        // hyperv-abi.md §8a): base+0 the signature and a limit in [base+2, base+5], base+2 one
        // hypercall page at the relocated MSR. A wrong value there is a new divergence.
        return switch (q.leaf() - XEN_RELOCATED_FIRST) {
            case 0 -> r.length == 4 && r[1] == XEN_SIGNATURE_EBX && r[2] == XEN_SIGNATURE_ECX && r[3] == XEN_SIGNATURE_EDX
                    && r[0] >= XEN_RELOCATED_FIRST + 2 && r[0] <= XEN_RELOCATED_FIRST + 5;
            case 2 -> r.length == 4 && r[0] == 1 && r[1] == XEN_MSR_RELOCATED;
            default -> true;
        };
    }

    /**
     * WRMSR/RDMSR 0x40000000 (GUEST_OS_ID under the adapter: no fault, no page) or 0x40000200 (Xen's
     * page MSR under the adapter, #GP in a Xen without Viridian).
     */
    static boolean xenHypercallMsrRelocated(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        int index;
        if (request instanceof MsrWrite w) {
            index = w.index();
        } else if (request instanceof MsrRead r) {
            index = r.index();
        } else {
            return false;
        }
        if (adapter.fault() != Fault.NONE) {
            return false;
        }
        if (index == XEN_MSR) {
            return request instanceof MsrWrite
                    ? only(fields, Field.WRITES, Field.FAULT) && adapter.writes().isEmpty()
                    : only(fields, Field.RESULT, Field.FAULT);
        }
        return index == XEN_MSR_RELOCATED && ref.fault() == Fault.GP
                && only(fields, Field.FAULT, Field.RESULT, Field.WRITES);
    }

    /** A Hyper-V synthetic MSR other than 0x40000000: #GP under Xen, served by the partition. */
    static boolean hypervMsrWindow(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        int index;
        if (request instanceof MsrWrite w) {
            index = w.index();
        } else if (request instanceof MsrRead r) {
            index = r.index();
        } else {
            return false;
        }
        return in(index, HV_MSR_FIRST, HV_MSR_LAST) && ref.fault() == Fault.GP && adapter.fault() == Fault.NONE
                && only(fields, Field.FAULT, Field.RESULT, Field.WRITES);
    }

    /** An OUT to 0xE9 whose only difference is the console bytes. */
    static boolean debugPortUnfiltered(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        return request instanceof PortWrite p && p.port() == DEBUG_PORT && fields.equals(EnumSet.of(Field.CONSOLE));
    }

    /**
     * A Xen hypercall the reference completed with 0, where the adapter's last Hyper-V call came back
     * INVALID_HYPERCALL_CODE or ACCESS_DENIED and the adapter returned the mapped -ENOSYS / -EPERM;
     * only the result and what that call would have led to may differ: events, interrupts, and what
     * dom0's daemon behind it would have written (ring bytes, console), the adapter having written
     * nothing the reference did not.
     */
    static boolean hypervCallUnavailable(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof Hypercall h) || h.abi() == Abi.HV64 || ref.returns().length == 0
                || xenRc(h, ref) != 0 || !fields.contains(Field.RESULT)
                || !only(fields, Field.RESULT, Field.EVENTS, Field.INTERRUPTS, Field.WRITES, Field.CONSOLE)
                || !subsequence(adapter.writes(), ref.writes()) || adapter.console().length != 0) {
            return false;
        }
        Integer status = null;
        for (String step : adapter.trail()) {
            Matcher m = HV_CALL_TRAIL.matcher(step);
            if (m.matches()) {
                status = (int) (Long.parseUnsignedLong(m.group(1), 16) & 0xffff);
            }
        }
        long rc = xenRc(h, adapter);
        return status != null && (status == HV_INVALID_HYPERCALL_CODE && rc == -ENOSYS
                || status == HV_ACCESS_DENIED && rc == -EPERM);
    }

    /** The Xen hypercall number as the ABI reads it (eax for 32-bit callers). */
    private static long xenNumber(Hypercall h) {
        return h.abi() == Abi.XEN32 ? h.call() & 0xffffffffL : h.call();
    }

    /** A Xen result as a signed value: 32-bit callers get eax, so sign-extend it. */
    private static long xenRc(Hypercall h, Observation o) {
        if (o.returns().length == 0) {
            return Long.MIN_VALUE;
        }
        return h.abi() == Abi.XEN32 ? (long) (int) o.result() : o.result();
    }

    private static boolean only(Set<Field> fields, Field... allowed) {
        return !fields.isEmpty() && EnumSet.of(allowed[0], allowed).containsAll(fields);
    }

    private static boolean in(int v, int first, int last) {
        return Integer.compareUnsigned(v, first) >= 0 && Integer.compareUnsigned(v, last) <= 0;
    }

    private static boolean allZero(long[] regs) {
        for (long r : regs) {
            if (r != 0) {
                return false;
            }
        }
        return true;
    }
}
