package dev.hcdiff.trace.abi;

import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;

/**
 * The name reports and summaries give a request: {@code event_channel_op/EVTCHNOP_send},
 * {@code HvCallSignalEvent}, {@code msr/0x40000000}, {@code cpuid/0x40000000}, {@code port/0xe9},
 * {@code mmio/0xfee000f0}.
 * Unknown numbers read {@code hypercall/99} or {@code event_channel_op/99}.
 */
public final class CallNames {

    private CallNames() {
    }

    public static String of(GuestRequest request) {
        return switch (request) {
            case Hypercall h -> switch (h.abi()) {
                case XEN64, XEN32 -> xenName(h.call(), h.arg(0));
                case HV64 -> HvCallCode.byCode((int) (h.call() & 0xffff)).map(HvCallCode::tlfsName)
                        .orElse("hvcall/0x" + Long.toHexString(h.call() & 0xffff));
            };
            case CpuidQuery c -> "cpuid/0x" + Integer.toHexString(c.leaf());
            case MsrRead r -> "msr/0x" + Integer.toHexString(r.index()) + "/read";
            case MsrWrite w -> "msr/0x" + Integer.toHexString(w.index());
            case PortRead p -> "port/0x" + Integer.toHexString(p.port()) + "/in";
            case PortWrite p -> "port/0x" + Integer.toHexString(p.port());
            case MmioRead m -> "mmio/0x" + Long.toHexString(m.gpa()) + "/read";
            case MmioWrite m -> "mmio/0x" + Long.toHexString(m.gpa());
            case GuestWrite g -> "guest-write";
        };
    }

    /** Names already built, by number and sub-op: replay names every exchange, a million times a run. */
    private static final java.util.concurrent.ConcurrentHashMap<Long, String> XEN_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code xen_name/SUBOP_name} for a Xen hypercall number and its first argument. */
    public static String xenName(long number, long firstArg) {
        if (number < 0 || number >= 64) {
            return "hypercall/" + number;
        }
        var call = XenHypercall.byNumber(number);
        if (call.isPresent() && XenSubOps.hasSubOps(call.get())) {
            int subOp = XenSubOps.subOpOf(call.get(), firstArg);
            if (XenSubOps.name(call.get(), subOp).isEmpty()) {
                return buildXenName(number, firstArg); // bounded cache: only the names Xen defines
            }
            return XEN_NAMES.computeIfAbsent((number << 32) | (subOp & 0xffff_ffffL), k -> buildXenName(number, firstArg));
        }
        return XEN_NAMES.computeIfAbsent(number << 32, k -> buildXenName(number, firstArg));
    }

    private static String buildXenName(long number, long firstArg) {
        return XenHypercall.byNumber(number)
                .map(call -> {
                    if (!XenSubOps.hasSubOps(call)) {
                        return call.xenName();
                    }
                    int sub = XenSubOps.subOpOf(call, firstArg);
                    return call.xenName() + "/" + XenSubOps.name(call, sub).orElse(Integer.toString(sub));
                })
                .orElse("hypercall/" + number);
    }
}
