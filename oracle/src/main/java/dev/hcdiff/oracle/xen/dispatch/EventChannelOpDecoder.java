package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnBindInterdomain;
import dev.hcdiff.oracle.xen.abi.EvtchnBindIpi;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVcpu;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.EvtchnClose;
import dev.hcdiff.oracle.xen.abi.EvtchnExpandArray;
import dev.hcdiff.oracle.xen.abi.EvtchnInitControl;
import dev.hcdiff.oracle.xen.abi.EvtchnReset;
import dev.hcdiff.oracle.xen.abi.EvtchnSend;
import dev.hcdiff.oracle.xen.abi.EvtchnSetPriority;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.EvtchnUnmask;

import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_alloc_unbound;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_interdomain;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_ipi;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_pirq;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_vcpu;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_virq;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_close;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_expand_array;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_init_control;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_reset;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_reset_cont;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_send;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_set_priority;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_status;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_unmask;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;

/**
 * {@code do_event_channel_op(int cmd, arg)} (xen/common/event_channel.c): the same native handler
 * serves 32-bit HVM callers (the event-channel structs are identical in both ABIs).
 *
 * <p>The argument copies both personalities share: the reference ({@link EventChannelOpDispatcher}
 * over {@link dev.hcdiff.oracle.xen.EventChannels}) and the Xen-to-Hyper-V adapter (over its own
 * port table); the sub-ops past the copies are the {@link EventChannelOpHandler}'s.
 *
 * @param <C> the caller's context
 */
public final class EventChannelOpDecoder<C extends CallContext> {

    private static final GuestCopy.Codec<EvtchnAllocUnbound> ALLOC_UNBOUND =
            new GuestCopy.Codec<>(EvtchnAllocUnbound::size, EvtchnAllocUnbound::decode, EvtchnAllocUnbound::encode);
    private static final GuestCopy.Codec<EvtchnBindInterdomain> BIND_INTERDOMAIN =
            new GuestCopy.Codec<>(EvtchnBindInterdomain::size, EvtchnBindInterdomain::decode, EvtchnBindInterdomain::encode);
    private static final GuestCopy.Codec<EvtchnBindVirq> BIND_VIRQ =
            new GuestCopy.Codec<>(EvtchnBindVirq::size, EvtchnBindVirq::decode, EvtchnBindVirq::encode);
    private static final GuestCopy.Codec<EvtchnBindIpi> BIND_IPI =
            new GuestCopy.Codec<>(EvtchnBindIpi::size, EvtchnBindIpi::decode, EvtchnBindIpi::encode);
    private static final GuestCopy.Codec<EvtchnStatus> STATUS =
            new GuestCopy.Codec<>(EvtchnStatus::size, EvtchnStatus::decode, EvtchnStatus::encode);
    private static final GuestCopy.Codec<EvtchnInitControl> INIT_CONTROL =
            new GuestCopy.Codec<>(EvtchnInitControl::size, EvtchnInitControl::decode, EvtchnInitControl::encode);

    private final EventChannelOpHandler<C> evtchn;

    public EventChannelOpDecoder(EventChannelOpHandler<C> evtchn) {
        this.evtchn = evtchn;
    }

    /**
     * @param cmd the sub-op ({@code int cmd})
     * @param arg guest linear address of the argument struct
     * @return the hypercall's result
     * @see xen/common/event_channel.c do_event_channel_op
     */
    public long dispatch(C current, int cmd, long arg, GuestMemory memory) {
        return switch (cmd) {
            case EVTCHNOP_alloc_unbound -> GuestCopy.inOut(current, memory, arg, "EVTCHNOP_alloc_unbound",
                    ALLOC_UNBOUND, a -> evtchn.allocUnbound(current, a));
            case EVTCHNOP_bind_interdomain -> GuestCopy.inOut(current, memory, arg, "EVTCHNOP_bind_interdomain",
                    BIND_INTERDOMAIN, a -> evtchn.bindInterdomain(current, a));
            case EVTCHNOP_bind_virq -> GuestCopy.inOut(current, memory, arg, "EVTCHNOP_bind_virq",
                    BIND_VIRQ, a -> evtchn.bindVirq(current, a));
            case EVTCHNOP_bind_ipi -> GuestCopy.inOut(current, memory, arg, "EVTCHNOP_bind_ipi",
                    BIND_IPI, a -> evtchn.bindIpi(current, a));
            // PIRQs need physdev_op (map_pirq), which is not modelled.
            case EVTCHNOP_bind_pirq -> current.unmodelled();
            case EVTCHNOP_close -> GuestCopy.in(current, memory, arg, "EVTCHNOP_close",
                    EvtchnClose::size, EvtchnClose::decode, a -> evtchn.close(current, a.port()));
            case EVTCHNOP_send -> GuestCopy.in(current, memory, arg, "EVTCHNOP_send",
                    EvtchnSend::size, EvtchnSend::decode, a -> evtchn.send(current, a.port(), memory));
            case EVTCHNOP_status -> GuestCopy.inOut(current, memory, arg, "EVTCHNOP_status",
                    STATUS, a -> evtchn.status(current, a));
            case EVTCHNOP_bind_vcpu -> GuestCopy.in(current, memory, arg, "EVTCHNOP_bind_vcpu",
                    EvtchnBindVcpu::size, EvtchnBindVcpu::decode, a -> evtchn.bindVcpu(current, a));
            case EVTCHNOP_unmask -> GuestCopy.in(current, memory, arg, "EVTCHNOP_unmask",
                    EvtchnUnmask::size, EvtchnUnmask::decode, a -> evtchn.unmask(current, a.port()));
            case EVTCHNOP_reset, EVTCHNOP_reset_cont -> GuestCopy.in(current, memory, arg,
                    cmd == EVTCHNOP_reset ? "EVTCHNOP_reset" : "EVTCHNOP_reset_cont",
                    EvtchnReset::size, EvtchnReset::decode, a -> evtchn.reset(current, a, cmd == EVTCHNOP_reset_cont));
            case EVTCHNOP_init_control -> GuestCopy.inOut(current, memory, arg, "EVTCHNOP_init_control",
                    INIT_CONTROL, a -> evtchn.initControl(current, a));
            case EVTCHNOP_expand_array -> GuestCopy.in(current, memory, arg, "EVTCHNOP_expand_array",
                    EvtchnExpandArray::size, EvtchnExpandArray::decode, a -> evtchn.expandArray(current));
            case EVTCHNOP_set_priority -> GuestCopy.in(current, memory, arg, "EVTCHNOP_set_priority",
                    EvtchnSetPriority::size, EvtchnSetPriority::decode, a -> evtchn.setPriority(current, a.port()));
            default -> current.error(ENOSYS, "do_event_channel_op: unknown cmd " + cmd);
        };
    }
}
