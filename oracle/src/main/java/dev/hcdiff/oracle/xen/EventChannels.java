package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.EventChannelTable.Channel;
import dev.hcdiff.oracle.xen.EventChannelTable.ChannelState;
import dev.hcdiff.oracle.xen.XenDomain.Lookup;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnBindInterdomain;
import dev.hcdiff.oracle.xen.abi.EvtchnBindIpi;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVcpu;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.EvtchnH;
import dev.hcdiff.oracle.xen.abi.EvtchnInitControl;
import dev.hcdiff.oracle.xen.abi.EvtchnReset;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.dispatch.EventChannelOpHandler;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EACCES;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EAGAIN;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EBUSY;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EEXIST;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * The event-channel sub-ops of {@code xen/common/event_channel.c} (Xen 4.17.7), one method per Xen
 * function, checks in Xen's order (style.md §2.3). They never touch guest memory: the dispatcher
 * copies the argument in and, on success, back out. Every error path is named in the trail.
 *
 * <p>The domain runs the 2-level ABI: the FIFO switch (EVTCHNOP_init_control with a good gfn) is
 * not modelled.
 */
public final class EventChannels implements EventChannelOpHandler<Current> {

    /** A FIFO control block must fit in its page: offset ≤ PAGE_SIZE - 72. */
    private static final int INIT_CONTROL_MAX_OFFSET = XenH.PAGE_SIZE - EvtchnH.EVTCHN_FIFO_CONTROL_BLOCK_SIZE;

    private final XenDomain d;

    public EventChannels(XenDomain d) {
        this.d = d;
    }

    private EventChannelTable table() {
        return d.evtchn();
    }

    /**
     * Allocates a port in {@code dom}'s table, bindable by {@code remote_dom}. A remote of
     * DOMID_SELF is stored as the caller's id; the remote's existence is not checked.
     *
     * @see xen/common/event_channel.c evtchn_alloc_unbound
     */
    @Override
    public Result<EvtchnAllocUnbound> allocUnbound(Current current, EvtchnAllocUnbound alloc) {
        Lookup dom = d.lockDomainByAnyId(alloc.dom());
        if (dom == Lookup.NONE) {
            return Result.error(current.error(ESRCH, "evtchn_alloc_unbound: no domain " + alloc.dom()), alloc);
        }
        if (dom == Lookup.DOM0) {
            // Xen takes a port in dom0's table first (-ENOSPC only if dom0's is full, which the
            // model cannot see), then XSM_TARGET refuses and the port is released again.
            return Result.error(current.error(EPERM, "evtchn_alloc_unbound: XSM_TARGET on dom0"), alloc);
        }
        int port = table().getFreePort();
        if (port < 0) {
            return Result.error(current.error(-port, "evtchn_alloc_unbound: get_free_port"), alloc);
        }
        Channel chn = table().evtchnFromPort(port);
        chn.state = ChannelState.UNBOUND;
        chn.unboundRemoteDomid = alloc.remoteDom() == XenH.DOMID_SELF ? d.domainId() : alloc.remoteDom();
        return Result.ok(alloc.withPort(port));
    }

    /**
     * Connects a new local port to {@code remote_dom}'s unbound {@code remote_port}; loopback to the
     * caller itself works. The new local port is set pending at once ("We may have lost
     * notifications on the remote unbound port").
     *
     * @see xen/common/event_channel.c evtchn_bind_interdomain
     */
    @Override
    public Result<EvtchnBindInterdomain> bindInterdomain(Current current, EvtchnBindInterdomain bind) {
        Lookup rd = d.lockDomainByAnyId(bind.remoteDom());
        if (rd == Lookup.NONE) {
            return Result.error(current.error(ESRCH, "evtchn_bind_interdomain: no domain " + bind.remoteDom()), bind);
        }
        int lport = table().getFreePort();
        if (lport < 0) {
            return Result.error(current.error(-lport, "evtchn_bind_interdomain: get_free_port"), bind);
        }
        Channel lchn = table().evtchnFromPort(lport);
        if (rd == Lookup.DOM0) {
            // The model holds none of dom0's ports: dom0 has no port unbound for this domain that
            // the model knows of, and Xen answers -EINVAL whether the port is invalid or just not
            // ECS_UNBOUND with remote_domid == us.
            table().checkFreePort(lport);
            return Result.error(current.error(EINVAL, "evtchn_bind_interdomain: dom0 port "
                    + Integer.toUnsignedString(bind.remotePort()) + " not unbound for us (dom0's table is not modelled)"), bind);
        }
        Channel rchn = table().evtchnFromPortOrNull(bind.remotePort());
        if (rchn == null) {
            table().checkFreePort(lport);
            return Result.error(current.error(EINVAL, "evtchn_bind_interdomain: remote port not valid"), bind);
        }
        if (rchn.state != ChannelState.UNBOUND || rchn.unboundRemoteDomid != d.domainId()) {
            table().checkFreePort(lport);
            return Result.error(current.error(EINVAL, "evtchn_bind_interdomain: remote port not unbound for us"), bind);
        }
        lchn.interdomainRemoteDom = d.domainId();
        lchn.interdomainRemotePort = rchn.port();
        lchn.state = ChannelState.INTERDOMAIN;
        rchn.interdomainRemoteDom = d.domainId();
        rchn.interdomainRemotePort = lport;
        rchn.state = ChannelState.INTERDOMAIN;
        evtchnPortSetPending(current, lchn.notifyVcpuId(), lchn);
        return Result.ok(bind.withLocalPort(lport));
    }

    /**
     * Binds a VIRQ to a new port on a vCPU. Order: range (-EINVAL), a global VIRQ on vCPU ≠ 0
     * (-EINVAL), the vCPU (-ENOENT), already bound (-EEXIST), then the port.
     *
     * @see xen/common/event_channel.c evtchn_bind_virq
     */
    @Override
    public Result<EvtchnBindVirq> bindVirq(Current current, EvtchnBindVirq bind) {
        int virq = bind.virq(); // Xen: int virq = bind->virq
        if (virq < 0 || virq >= XenH.NR_VIRQS) {
            return Result.error(current.error(EINVAL, "evtchn_bind_virq: virq >= NR_VIRQS"), bind);
        }
        int vcpu = bind.vcpu(); // Xen: int vcpu = bind->vcpu
        if (!XenH.virqIsPerVcpu(virq) && vcpu != 0) {
            return Result.error(current.error(EINVAL, "evtchn_bind_virq: global virq on vcpu != 0"), bind);
        }
        XenVcpu v = d.domainVcpu(vcpu);
        if (v == null) {
            return Result.error(current.error(ENOENT, "evtchn_bind_virq: no vcpu " + Integer.toUnsignedString(vcpu)), bind);
        }
        if (v.virqToEvtchn[virq] != 0) {
            return Result.error(current.error(EEXIST, "evtchn_bind_virq: virq " + virq + " already bound"), bind);
        }
        int port = table().getFreePort();
        if (port < 0) {
            return Result.error(current.error(-port, "evtchn_bind_virq: get_free_port"), bind);
        }
        Channel chn = table().evtchnFromPort(port);
        chn.state = ChannelState.VIRQ;
        chn.notifyVcpuId = vcpu;
        chn.virq = virq;
        v.virqToEvtchn[virq] = port;
        return Result.ok(bind.withPort(port));
    }

    /**
     * Binds a new port that notifies {@code vcpu} when the domain sends on it.
     *
     * @see xen/common/event_channel.c evtchn_bind_ipi
     */
    @Override
    public Result<EvtchnBindIpi> bindIpi(Current current, EvtchnBindIpi bind) {
        if (d.domainVcpu(bind.vcpu()) == null) {
            return Result.error(current.error(ENOENT, "evtchn_bind_ipi: no vcpu " + Integer.toUnsignedString(bind.vcpu())), bind);
        }
        int port = table().getFreePort();
        if (port < 0) {
            return Result.error(current.error(-port, "evtchn_bind_ipi: get_free_port"), bind);
        }
        Channel chn = table().evtchnFromPort(port);
        chn.state = ChannelState.IPI;
        chn.notifyVcpuId = bind.vcpu();
        return Result.ok(bind.withPort(port));
    }

    /**
     * Closes a port: not valid, Xen-consumed, FREE or RESERVED (port 0) → -EINVAL. Freeing clears the
     * pending bit (not the mask) and resets the notify vCPU to 0; the other end of an interdomain
     * channel becomes UNBOUND for us again.
     *
     * @see xen/common/event_channel.c evtchn_close
     */
    @Override
    public long close(Current current, int port) {
        Channel chn1 = table().evtchnFromPortOrNull(port);
        if (chn1 == null) {
            return current.error(EINVAL, "evtchn_close: port not valid");
        }
        // "Guest cannot close a Xen-attached event channel."
        if (chn1.consumerIsXen()) {
            return current.error(EINVAL, "evtchn_close: Xen-attached port");
        }
        switch (chn1.state) {
            case FREE, RESERVED -> {
                return current.error(EINVAL, "evtchn_close: port is " + chn1.state);
            }
            case UNBOUND, IPI -> {
            }
            case VIRQ -> {
                XenVcpu v = d.vcpu(XenH.virqIsPerVcpu(chn1.virq) ? chn1.notifyVcpuId : 0);
                v.virqToEvtchn[chn1.virq] = 0;
            }
            case INTERDOMAIN -> {
                if (chn1.interdomainRemoteDom != d.domainId()) {
                    // dom0's end (xenstored, xenconsoled) goes back to ECS_UNBOUND in dom0's table,
                    // which the model does not hold: dom0 sends on it are dropped from now on.
                    evtchnFree(chn1);
                    return 0;
                }
                Channel chn2 = table().evtchnFromPort(chn1.interdomainRemotePort);
                evtchnFree(chn1);
                chn2.state = ChannelState.UNBOUND;
                chn2.unboundRemoteDomid = d.domainId();
                return 0;
            }
            case PIRQ -> throw new IllegalStateException("ECS_PIRQ channels are never created (bind_pirq is not modelled)");
        }
        evtchnFree(chn1);
        return 0;
    }

    /** EVTCHNOP_send as the dispatcher calls it: {@link #send(Current, int)}; Xen reads no memory. */
    @Override
    public long send(Current current, int lport, GuestMemory memory) {
        return send(current, lport);
    }

    /**
     * Notifies through a port: INTERDOMAIN sets the remote end pending, IPI sets itself pending,
     * UNBOUND drops the notification and returns 0, anything else is -EINVAL.
     *
     * @see xen/common/event_channel.c evtchn_send
     */
    public long send(Current current, int lport) {
        Channel lchn = table().evtchnFromPortOrNull(lport);
        if (lchn == null) {
            return current.error(EINVAL, "evtchn_send: port not valid");
        }
        // "Guest cannot send via a Xen-attached event channel."
        if (lchn.consumerIsXen()) {
            return current.error(EINVAL, "evtchn_send: Xen-attached port");
        }
        switch (lchn.state) {
            case INTERDOMAIN -> {
                if (lchn.interdomainRemoteDom != d.domainId()) {
                    // dom0's port becomes pending: the daemon behind it (the toolstack) runs once
                    // this hypercall is done, still inside its observation.
                    d.kickDom0(lchn.interdomainRemotePort);
                    current.note("evtchn_send: dom0 port " + lchn.interdomainRemotePort + " pending");
                    return 0;
                }
                Channel rchn = table().evtchnFromPort(lchn.interdomainRemotePort);
                if (rchn.consumerIsXen()) {
                    // Xen's notification function runs instead (ioreq/xenstore wake-ups): nothing
                    // the guest sees in shared_info.
                    current.note("evtchn_send: remote port " + rchn.port() + " is Xen-attached: Xen notified");
                    return 0;
                }
                evtchnPortSetPending(current, rchn.notifyVcpuId, rchn);
            }
            case IPI -> evtchnPortSetPending(current, lchn.notifyVcpuId, lchn);
            case UNBOUND -> current.note("evtchn_send: ECS_UNBOUND, notification dropped");
            default -> {
                return current.error(EINVAL, "evtchn_send: port is " + lchn.state);
            }
        }
        return 0;
    }

    /**
     * Reports a port's state. FREE and RESERVED read EVTCHNSTAT_closed; only the union member of the
     * state is written, the rest of the struct keeps the guest's bytes.
     *
     * @see xen/common/event_channel.c evtchn_status
     */
    @Override
    public Result<EvtchnStatus> status(Current current, EvtchnStatus status) {
        Lookup dom = d.lockDomainByAnyId(status.dom());
        if (dom == Lookup.NONE) {
            return Result.error(current.error(ESRCH, "evtchn_status: no domain " + status.dom()), status);
        }
        if (dom == Lookup.DOM0) {
            // Xen: -EINVAL beyond dom0's valid ports, -EACCES for a Xen-attached one, else XSM_TARGET
            // -EPERM. dom0's table is not modelled: the model assumes a valid, guest-owned port.
            return Result.error(current.error(EPERM, "evtchn_status: XSM_TARGET on dom0 (dom0's table is not modelled)"), status);
        }
        Channel chn = table().evtchnFromPortOrNull(status.port());
        if (chn == null) {
            return Result.error(current.error(EINVAL, "evtchn_status: port not valid"), status);
        }
        if (chn.consumerIsXen()) {
            return Result.error(current.error(EACCES, "evtchn_status: Xen-attached port"), status);
        }
        long u = status.u();
        int stat = switch (chn.state) {
            case FREE, RESERVED -> EvtchnH.EVTCHNSTAT_closed;
            case UNBOUND -> {
                u = (u & ~0xffffL) | (chn.unboundRemoteDomid & 0xffff);
                yield EvtchnH.EVTCHNSTAT_unbound;
            }
            case INTERDOMAIN -> {
                u = (u & 0x00000000ffff0000L) | (chn.interdomainRemoteDom & 0xffff)
                        | (long) chn.interdomainRemotePort << 32;
                yield EvtchnH.EVTCHNSTAT_interdomain;
            }
            case VIRQ -> {
                u = (u & 0xffffffff00000000L) | (chn.virq & 0xffffffffL);
                yield EvtchnH.EVTCHNSTAT_virq;
            }
            case IPI -> EvtchnH.EVTCHNSTAT_ipi;
            case PIRQ -> throw new IllegalStateException("ECS_PIRQ channels are never created (bind_pirq is not modelled)");
        };
        return Result.ok(status.with(stat, chn.notifyVcpuId, u));
    }

    /**
     * Re-targets a port's notifications. Xen checks the vCPU (-ENOENT) before the port (-EINVAL);
     * QEMU's xen_evtchn_bind_vcpu_op does it the other way round (style.md §2.3). Global VIRQs,
     * UNBOUND and INTERDOMAIN ports move; per-vCPU VIRQs, IPIs and free ports are -EINVAL.
     *
     * @see xen/common/event_channel.c evtchn_bind_vcpu
     */
    @Override
    public long bindVcpu(Current current, EvtchnBindVcpu bind) {
        XenVcpu v = d.domainVcpu(bind.vcpu());
        if (v == null) {
            return current.error(ENOENT, "evtchn_bind_vcpu: no vcpu " + Integer.toUnsignedString(bind.vcpu()));
        }
        Channel chn = table().evtchnFromPortOrNull(bind.port());
        if (chn == null) {
            return current.error(EINVAL, "evtchn_bind_vcpu: port not valid");
        }
        // "Guest cannot re-bind a Xen-attached event channel."
        if (chn.consumerIsXen()) {
            return current.error(EINVAL, "evtchn_bind_vcpu: Xen-attached port");
        }
        switch (chn.state) {
            case VIRQ -> {
                if (XenH.virqIsPerVcpu(chn.virq)) {
                    return current.error(EINVAL, "evtchn_bind_vcpu: per-vcpu virq " + chn.virq);
                }
                chn.notifyVcpuId = v.vcpuId();
            }
            case UNBOUND, INTERDOMAIN -> chn.notifyVcpuId = v.vcpuId();
            default -> {
                return current.error(EINVAL, "evtchn_bind_vcpu: port is " + chn.state);
            }
        }
        return 0;
    }

    /**
     * Unmasks a port. Any valid port returns 0, free ones too; only a usable channel has its mask bit
     * cleared ({@code evtchn_port_unmask()} checks {@code evtchn_usable()}), and the upcall follows
     * {@code evtchn_2l_unmask()}.
     *
     * @see xen/common/event_channel.c evtchn_unmask
     */
    @Override
    public long unmask(Current current, int port) {
        Channel chn = table().evtchnFromPortOrNull(port);
        if (chn == null) {
            return current.error(EINVAL, "evtchn_unmask: port not valid");
        }
        if (chn.usable()) {
            d.evtchn2l().unmask(current, chn);
        }
        return 0;
    }

    /**
     * EVTCHNOP_reset and EVTCHNOP_reset_cont: the dispatcher's domain and XSM checks, then
     * {@code evtchn_reset()}. The model never preempts, so no reset is ever in progress and
     * reset_cont (resuming from {@code next_evtchn} = 0) answers -EBUSY. Every guest port is
     * closed and Xen-attached ones stay open; the result is still 0, because the final check
     * compares {@code active_evtchns} with {@code xen_evtchns}, which counts exactly those (xen-abi.md
     * says -EAGAIN; the code does not). Buckets stay allocated.
     *
     * @see xen/common/event_channel.c evtchn_reset
     */
    @Override
    public long reset(Current current, EvtchnReset reset, boolean resuming) {
        String op = resuming ? "evtchn_reset_cont" : "evtchn_reset";
        Lookup dom = d.lockDomainByAnyId(reset.dom());
        if (dom == Lookup.NONE) {
            return current.error(ESRCH, op + ": no domain " + reset.dom());
        }
        if (!d.xsmTargetAllows(dom)) {
            return current.error(EPERM, op + ": XSM_TARGET on dom0");
        }
        EventChannelTable t = table();
        int i = resuming ? t.nextEvtchn : (t.nextEvtchn == 0 ? 1 : 0);
        if (i > t.nextEvtchn) {
            t.nextEvtchn = i;
        }
        if (i == 0) {
            return current.error(EBUSY, op + ": no reset in progress to resume");
        }
        for (; t.portIsValid(i) && t.activeEvtchns() > t.xenEvtchns(); i++) {
            Channel chn = t.evtchnFromPort(i);
            // evtchn_close(d, i, 1) fails without effect on FREE and Xen-attached ports.
            if (chn.state != ChannelState.FREE && !chn.consumerIsXen()) {
                close(current, i);
            }
        }
        t.nextEvtchn = 0;
        if (t.activeEvtchns() > t.xenEvtchns()) {
            return current.error(EAGAIN, op + ": guest ports still active");
        }
        return 0;
    }

    /**
     * EVTCHNOP_init_control: checks in {@code evtchn_fifo_init_control()} order; {@code link_bits}
     * is set before any check (and copied back only on success). A call that passes the argument
     * checks would map the gfn (-EINVAL if it is not RAM) and switch the domain to FIFO, which the
     * model does not implement.
     *
     * @see xen/common/event_fifo.c evtchn_fifo_init_control
     */
    @Override
    public Result<EvtchnInitControl> initControl(Current current, EvtchnInitControl init) {
        EvtchnInitControl out = new EvtchnInitControl(init.controlGfn(), init.offset(), init.vcpu(),
                EvtchnH.EVTCHN_FIFO_LINK_BITS);
        if (d.domainVcpu(init.vcpu()) == null) {
            return Result.error(current.error(ENOENT, "evtchn_fifo_init_control: no vcpu " + Integer.toUnsignedString(init.vcpu())), out);
        }
        if (Integer.toUnsignedLong(init.offset()) > INIT_CONTROL_MAX_OFFSET) {
            return Result.error(current.error(EINVAL, "evtchn_fifo_init_control: control block crosses the page"), out);
        }
        if ((init.offset() & 7) != 0) {
            return Result.error(current.error(EINVAL, "evtchn_fifo_init_control: offset not 8-byte aligned"), out);
        }
        return Result.error(current.unmodelled(), out);
    }

    /**
     * EVTCHNOP_expand_array on a 2-level domain: -EOPNOTSUPP.
     *
     * @see xen/common/event_fifo.c evtchn_fifo_expand_array
     */
    @Override
    public long expandArray(Current current) {
        return current.error(EOPNOTSUPP, "evtchn_fifo_expand_array: domain is not FIFO");
    }

    /**
     * EVTCHNOP_set_priority on a 2-level domain: the port must be valid (-EINVAL), then the 2-level
     * ops have no set_priority (-ENOSYS), which Xen checks before usability (-EACCES).
     *
     * @see xen/common/event_channel.c evtchn_set_priority
     */
    @Override
    public long setPriority(Current current, int port) {
        if (table().evtchnFromPortOrNull(port) == null) {
            return current.error(EINVAL, "evtchn_set_priority: port not valid");
        }
        return current.error(ENOSYS, "evtchn_port_set_priority: 2-level ABI has no priorities");
    }

    /**
     * {@code evtchn_port_poll()}: -EINVAL for an invalid or unusable port, else 1 if pending, 0 if not.
     *
     * @see xen/include/xen/event.h evtchn_port_poll
     */
    public int evtchnPortPoll(int port) {
        Channel chn = table().evtchnFromPortOrNull(port);
        if (chn == null || !chn.usable()) {
            return -EINVAL;
        }
        return d.evtchn2l().isPending(chn) ? 1 : 0;
    }

    /**
     * {@code alloc_unbound_xen_event_channel()}: a port Xen itself consumes (an ioreq server's or the
     * xenstore shim's). Nothing in the model creates one yet; it exists for the device-model paths
     * and for tests of the Xen-attached checks.
     *
     * @return the port, or a negated errno
     */
    public int allocUnboundXenEventChannel(int lvcpu, int remoteDomid) {
        int port = table().getFreePort();
        if (port < 0) {
            return port;
        }
        Channel chn = table().evtchnFromPort(port);
        chn.state = ChannelState.UNBOUND;
        table().markXenConsumer(chn, 1);
        chn.notifyVcpuId = lvcpu;
        chn.unboundRemoteDomid = remoteDomid;
        return port;
    }

    /**
     * The toolstack's half of an xl-hvm channel: a port allocated as libxl's
     * xc_evtchn_alloc_unbound(domid, 0) does, then bound by dom0's daemon
     * (evtchn_bind_interdomain() from dom0: both ends INTERDOMAIN; "We may have lost notifications
     * on the remote unbound port", so dom0's end is set pending, which the guest does not see).
     *
     * @return the guest's port
     */
    int bindToDom0(int dom0Port) {
        int port = table().getFreePort();
        if (port < 0) {
            throw new IllegalStateException("no free port for the toolstack's channel: " + port);
        }
        Channel chn = table().evtchnFromPort(port);
        chn.state = ChannelState.INTERDOMAIN;
        chn.interdomainRemoteDom = XenDomain.DOM0;
        chn.interdomainRemotePort = dom0Port;
        return port;
    }

    /**
     * dom0 sends on its port {@code dom0Port} ({@code xenevtchn_notify()} from xenstored or
     * xenconsoled): {@code evtchn_send()} in dom0 sets the guest's end pending, or drops the event
     * when the guest closed its end.
     */
    public void dom0Send(Current current, int dom0Port) {
        for (Channel chn : table().inUse()) {
            if (chn.state == ChannelState.INTERDOMAIN && chn.interdomainRemoteDom == XenDomain.DOM0
                    && chn.interdomainRemotePort == dom0Port) {
                evtchnPortSetPending(current, chn.notifyVcpuId, chn);
                return;
            }
        }
        current.note("dom0 send on port " + dom0Port + ": the guest's end is closed, dropped");
    }

    /** {@code evtchn_port_set_pending()}: only usable channels. */
    void evtchnPortSetPending(Current current, int vcpuId, Channel chn) {
        if (chn.usable()) {
            d.evtchn2l().setPending(current, d.vcpu(vcpuId), chn);
        }
    }

    /** {@code evtchn_free()}: clear pending (usable channels only), then the bookkeeping. */
    private void evtchnFree(Channel chn) {
        if (chn.usable()) {
            d.evtchn2l().clearPending(chn);
        }
        table().free(chn);
    }
}
