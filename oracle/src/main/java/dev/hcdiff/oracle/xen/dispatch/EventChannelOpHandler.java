package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.EventChannels;
import dev.hcdiff.oracle.xen.Result;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnBindInterdomain;
import dev.hcdiff.oracle.xen.abi.EvtchnBindIpi;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVcpu;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.EvtchnInitControl;
import dev.hcdiff.oracle.xen.abi.EvtchnReset;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;

/**
 * The event_channel_op sub-ops after {@link EventChannelOpDecoder} has copied their arguments: the
 * reference's {@link EventChannels} over its domain, or the adapter's over its own port table. One
 * method per {@code evtchn_*} function of xen/common/event_channel.c; the javadoc of
 * {@link EventChannels} says what Xen does in each.
 *
 * @param <C> the caller's context
 */
public interface EventChannelOpHandler<C extends CallContext> {

    Result<EvtchnAllocUnbound> allocUnbound(C c, EvtchnAllocUnbound a);

    Result<EvtchnBindInterdomain> bindInterdomain(C c, EvtchnBindInterdomain a);

    Result<EvtchnBindVirq> bindVirq(C c, EvtchnBindVirq a);

    Result<EvtchnBindIpi> bindIpi(C c, EvtchnBindIpi a);

    long close(C c, int port);

    /** @param memory guest memory, for a server whose notification reaches a service that reads it */
    long send(C c, int port, GuestMemory memory);

    Result<EvtchnStatus> status(C c, EvtchnStatus a);

    long bindVcpu(C c, EvtchnBindVcpu a);

    long unmask(C c, int port);

    /** EVTCHNOP_reset, or EVTCHNOP_reset_cont when {@code resuming}. */
    long reset(C c, EvtchnReset a, boolean resuming);

    Result<EvtchnInitControl> initControl(C c, EvtchnInitControl a);

    long expandArray(C c);

    long setPriority(C c, int port);
}
