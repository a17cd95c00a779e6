package dev.hcdiff.oracle.compare;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    /** {@code CONSOLEIO_write} (xen/include/public/xen.h). */
    private static final int CONSOLEIO_WRITE = 0;
    /** Xen errnos (xen/include/public/errno.h). */
    private static final long EPERM = 1, EFAULT = 14, ENOSYS = 38;
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
                        XenOnHyperVGaps::hypervCallUnavailable));
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

    /** "XenVMMXenVMM" in EBX, ECX, EDX of leaf base+0 (xen/include/public/arch-x86/cpuid.h XEN_CPUID_SIGNATURE_*). */
    private static final long XEN_SIGNATURE_EBX = 0x566e6558L;
    private static final long XEN_SIGNATURE_ECX = 0x65584d4dL;
    private static final long XEN_SIGNATURE_EDX = 0x4d4d566eL;

    /** CPUID in Hyper-V's range (Hyper-V's leaves) or in 0x40000100.. where Xen had nothing; only the registers differ. */
    static boolean xenCpuidRelocated(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof CpuidQuery q) || !fields.equals(EnumSet.of(Field.RESULT))) {
            return false;
        }
        if (in(q.leaf(), HV_CPUID_FIRST, HV_CPUID_LAST)) {
            return true;
        }
        if (!in(q.leaf(), XEN_RELOCATED_FIRST, XEN_RELOCATED_LAST) || !allZero(ref.returns())) {
            return false;
        }
        long[] r = adapter.returns();
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
     * only the result and the events and interrupts that call would have made may differ.
     */
    static boolean hypervCallUnavailable(GuestRequest request, Set<Field> fields, Observation ref, Observation adapter) {
        if (!(request instanceof Hypercall h) || h.abi() == Abi.HV64 || ref.returns().length == 0
                || xenRc(h, ref) != 0 || !fields.contains(Field.RESULT)
                || !only(fields, Field.RESULT, Field.EVENTS, Field.INTERRUPTS)) {
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
