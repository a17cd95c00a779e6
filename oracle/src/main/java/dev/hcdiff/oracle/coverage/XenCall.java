package dev.hcdiff.oracle.coverage;

import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.abi.XenSubOps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One Xen hypercall, or one sub-op of a hypercall whose first argument is a command, named as
 * {@link dev.hcdiff.trace.abi.CallNames} names it: the sub-op's name ({@code EVTCHNOP_send}) or,
 * for a hypercall without sub-ops, Xen's name without {@code __HYPERVISOR_} ({@code set_timer_op}).
 *
 * @param hypercall the hypercall ({@code xen/include/public/xen.h})
 * @param subOp     the sub-op number, or {@link #NO_SUB_OP}
 */
public record XenCall(XenHypercall hypercall, int subOp) implements Comparable<XenCall> {

    /** The {@link #subOp} of a hypercall without sub-ops. */
    public static final int NO_SUB_OP = -1;

    private static final Comparator<XenCall> ORDER =
            Comparator.comparingInt((XenCall c) -> c.hypercall.number()).thenComparingInt(XenCall::subOp);

    public XenCall {
        if (XenSubOps.hasSubOps(hypercall) == (subOp == NO_SUB_OP)) {
            throw new IllegalArgumentException(hypercall.xenName() + (subOp == NO_SUB_OP
                    ? " takes a sub-op" : " has no sub-op " + subOp));
        }
        if (subOp != NO_SUB_OP && XenSubOps.name(hypercall, subOp).isEmpty()) {
            throw new IllegalArgumentException(hypercall.xenName() + " has no sub-op " + subOp + " that Xen names");
        }
    }

    /** The name {@code @Covers(call = ...)} uses: {@code EVTCHNOP_send}, {@code set_timer_op}. */
    public String name() {
        return subOp == NO_SUB_OP ? hypercall.xenName() : XenSubOps.name(hypercall, subOp).orElseThrow();
    }

    /** The name reports give it: {@code event_channel_op/EVTCHNOP_send}, {@code set_timer_op}. */
    public String fullName() {
        return subOp == NO_SUB_OP ? hypercall.xenName() : hypercall.xenName() + "/" + name();
    }

    /**
     * Every Xen call hcdiff can name: each hypercall of {@link XenHypercall} without sub-ops, and each
     * named sub-op of the others ({@link XenSubOps}), in hypercall then sub-op number order.
     */
    public static List<XenCall> all() {
        List<XenCall> out = new ArrayList<>();
        for (XenHypercall h : XenHypercall.values()) {
            if (!XenSubOps.hasSubOps(h)) {
                out.add(new XenCall(h, NO_SUB_OP));
                continue;
            }
            // Sub-op tables are small (at most 64 commands: memory_op's MEMOP_CMD_MASK is 0x3f).
            for (int sub = 0; sub < 64; sub++) {
                if (XenSubOps.name(h, sub).isPresent()) {
                    out.add(new XenCall(h, sub));
                }
            }
        }
        out.sort(ORDER);
        return List.copyOf(out);
    }

    /** The call with this {@link #name()}, if hcdiff knows one (names are unique across hypercalls). */
    public static Optional<XenCall> byName(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @Override
    public int compareTo(XenCall o) {
        return ORDER.compare(this, o);
    }
}
