package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.adapter.AdapterPortTable.Port;
import dev.hcdiff.oracle.adapter.AdapterPortTable.State;
import dev.hcdiff.oracle.adapter.AdapterState.Lookup;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.xen.Result;
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
import dev.hcdiff.oracle.xen.dispatch.EventChannelOpDecoder;
import dev.hcdiff.oracle.xen.dispatch.EventChannelOpHandler;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EBUSY;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EEXIST;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * event_channel_op (32) under the adapter, hyperv-abi.md §8a. Port objects exist only in the
 * adapter's {@link AdapterPortTable}, so alloc_unbound, bind_*, close, status, bind_vcpu and unmask
 * are answered from it with Xen's checks in Xen's order (xen-abi.md §5.3,
 * {@code xen/common/event_channel.c}); a notification that reaches a port (send on an IPI or
 * loopback interdomain port, the first notification of bind_interdomain) travels as
 * HvCallSignalEvent on the adapter's preconfigured connection ({@link HvLink}) and lands in the
 * guest's shared_info as Xen would set it ({@link AdapterEvents}).
 */
final class EventChannelOps implements EventChannelOpHandler<Call> {

    /** A FIFO control block (72 bytes) must fit in its page (evtchn_fifo_init_control()). */
    private static final int INIT_CONTROL_MAX_OFFSET = XenH.PAGE_SIZE - EvtchnH.EVTCHN_FIFO_CONTROL_BLOCK_SIZE;

    private final AdapterState s;
    private final EventChannelOpDecoder<Call> decoder;

    EventChannelOps(AdapterState s) {
        this.s = s;
        this.decoder = new EventChannelOpDecoder<>(this);
    }

    /** Xen's copies ({@link EventChannelOpDecoder}, shared with the reference), then the sub-ops below. */
    long dispatch(Call c, int cmd, long arg, GuestMemory m) {
        return decoder.dispatch(c, cmd, arg, m);
    }

    /** Xen: dom lookup (-ESRCH), dom0 refused by XSM_TARGET (-EPERM), a port (-ENOSPC), UNBOUND. */
    @Covers(call = "EVTCHNOP_alloc_unbound", as = Realisation.EMULATED, via = "adapter port table (guests cannot create Hyper-V ports or connections)")
    @Override
    public Result<EvtchnAllocUnbound> allocUnbound(Call c, EvtchnAllocUnbound a) {
        Lookup dom = s.byAnyId(a.dom());
        if (dom == Lookup.NONE) {
            return Result.error(c.error(ESRCH, "alloc_unbound: no domain " + a.dom()), a);
        }
        if (dom == Lookup.DOM0) {
            return Result.error(c.error(EPERM, "alloc_unbound: XSM_TARGET on dom0"), a);
        }
        int port = s.ports.allocate();
        if (port < 0) {
            return Result.error(c.error(-port, "alloc_unbound: no free port"), a);
        }
        Port p = s.ports.get(port);
        p.state = State.UNBOUND;
        p.unboundRemoteDom = a.remoteDom() == XenH.DOMID_SELF ? s.domid() : a.remoteDom();
        c.note("alloc_unbound: adapter port table, port " + port + " (no Hyper-V call: guests cannot create ports)");
        return Result.ok(a.withPort(port));
    }

    /**
     * Xen: remote lookup (-ESRCH), a local port (-ENOSPC), then the remote must be a valid port
     * UNBOUND for us (-EINVAL, the local port given back). The new local port is notified at once,
     * which under the adapter is a SignalEvent.
     */
    @Covers(call = "EVTCHNOP_bind_interdomain", as = Realisation.MAPPED, via = "adapter port table; the first notification is HvCallSignalEvent on the adapter loopback connection", gap = "hyperv-call-unavailable")
    @Override
    public Result<EvtchnBindInterdomain> bindInterdomain(Call c, EvtchnBindInterdomain a) {
        Lookup rd = s.byAnyId(a.remoteDom());
        if (rd == Lookup.NONE) {
            return Result.error(c.error(ESRCH, "bind_interdomain: no domain " + a.remoteDom()), a);
        }
        int lport = s.ports.allocate();
        if (lport < 0) {
            return Result.error(c.error(-lport, "bind_interdomain: no free port"), a);
        }
        Port remote = rd == Lookup.SELF ? s.ports.get(a.remotePort()) : null;
        if (remote == null || remote.state != State.UNBOUND || remote.unboundRemoteDom != s.domid()) {
            s.ports.release(lport);
            return Result.error(c.error(EINVAL, "bind_interdomain: remote port " + Integer.toUnsignedString(a.remotePort())
                    + " not unbound for us"), a);
        }
        Port local = s.ports.get(lport);
        local.state = State.INTERDOMAIN;
        local.remoteDom = s.domid();
        local.remotePort = remote.number;
        remote.state = State.INTERDOMAIN;
        remote.remoteDom = s.domid();
        remote.remotePort = lport;
        int st = notify(c, local);
        if (st != HvStatus.SUCCESS) {
            c.note("bind_interdomain: first notification of port " + lport + " lost (" + HvStatus.name(st) + ")");
        }
        return Result.ok(a.withLocalPort(lport));
    }

    /** Xen: range, global VIRQ on vCPU ≠ 0 (-EINVAL), vCPU (-ENOENT), bound (-EEXIST), port. */
    @Covers(call = "EVTCHNOP_bind_virq", as = Realisation.EMULATED, via = "adapter port table (VIRQ_TIMER would fire from an STIMER)")
    @Override
    public Result<EvtchnBindVirq> bindVirq(Call c, EvtchnBindVirq a) {
        int virq = a.virq();
        if (virq < 0 || virq >= XenH.NR_VIRQS) {
            return Result.error(c.error(EINVAL, "bind_virq: virq out of range"), a);
        }
        if (!XenH.virqIsPerVcpu(virq) && a.vcpu() != 0) {
            return Result.error(c.error(EINVAL, "bind_virq: global virq on vcpu != 0"), a);
        }
        if (!s.vcpuExists(a.vcpu())) {
            return Result.error(c.error(ENOENT, "bind_virq: no vcpu " + Integer.toUnsignedString(a.vcpu())), a);
        }
        if (s.ports.virqPort(a.vcpu(), virq) != 0) {
            return Result.error(c.error(EEXIST, "bind_virq: virq " + virq + " already bound"), a);
        }
        int port = s.ports.allocate();
        if (port < 0) {
            return Result.error(c.error(-port, "bind_virq: no free port"), a);
        }
        Port p = s.ports.get(port);
        p.state = State.VIRQ;
        p.notifyVcpu = a.vcpu();
        p.virq = virq;
        s.ports.setVirqPort(a.vcpu(), virq, port);
        c.note("bind_virq: adapter port table" + (virq == XenH.VIRQ_TIMER
                ? " (VIRQ_TIMER would fire from an STIMER)" : " (no Hyper-V source for this VIRQ: a gap when it would fire)"));
        return Result.ok(a.withPort(port));
    }

    /** Xen: vCPU (-ENOENT), port (-ENOSPC), IPI port notifying that vCPU. */
    @Covers(call = "EVTCHNOP_bind_ipi", as = Realisation.EMULATED, via = "adapter port table; send on it is HvCallSignalEvent")
    @Override
    public Result<EvtchnBindIpi> bindIpi(Call c, EvtchnBindIpi a) {
        if (!s.vcpuExists(a.vcpu())) {
            return Result.error(c.error(ENOENT, "bind_ipi: no vcpu " + Integer.toUnsignedString(a.vcpu())), a);
        }
        int port = s.ports.allocate();
        if (port < 0) {
            return Result.error(c.error(-port, "bind_ipi: no free port"), a);
        }
        Port p = s.ports.get(port);
        p.state = State.IPI;
        p.notifyVcpu = a.vcpu();
        return Result.ok(a.withPort(port));
    }

    /**
     * Xen: not valid, FREE or RESERVED → -EINVAL; otherwise freed with its pending bit cleared, and
     * the other end of a loopback channel goes back to UNBOUND for us.
     */
    @Covers(call = "EVTCHNOP_close", as = Realisation.EMULATED, via = "adapter port table")
    @Override
    public long close(Call c, int port) {
        Port p = s.ports.get(port);
        if (p == null) {
            return c.error(EINVAL, "close: port not valid");
        }
        switch (p.state) {
            case FREE, RESERVED -> {
                return c.error(EINVAL, "close: port is " + p.state);
            }
            case VIRQ -> s.ports.setVirqPort(XenH.virqIsPerVcpu(p.virq) ? p.notifyVcpu : 0, p.virq, 0);
            case INTERDOMAIN -> {
                if (p.remoteDom == AdapterState.DOM0) {
                    // dom0's end goes back to unbound in dom0's table, which the adapter does not
                    // hold: the daemon's later notifications are dropped (Dom0Services).
                    free(p);
                    return 0;
                }
                Port other = s.ports.get(p.remotePort);
                free(p);
                other.state = State.UNBOUND;
                other.unboundRemoteDom = s.domid();
                return 0;
            }
            case UNBOUND, IPI, PIRQ -> {
            }
        }
        free(p);
        return 0;
    }

    /**
     * Xen: not valid → -EINVAL; INTERDOMAIN notifies the other end, IPI itself; UNBOUND drops it and
     * returns 0; anything else → -EINVAL. A notification is a SignalEvent: on the adapter's loopback
     * connection, or for a port bound to dom0 on the root's connection ({@link Dom0Services}); its
     * Hyper-V status, if not SUCCESS, is what the guest gets back (mapped by {@link StatusMap}).
     */
    @Covers(call = "EVTCHNOP_send", as = Realisation.MAPPED, via = "HvCallSignalEvent on the adapter loopback connection (IPI, interdomain) or the root connection (dom0 ports); status mapped back to an errno", gap = "hyperv-call-unavailable")
    @Override
    public long send(Call c, int port, GuestMemory m) {
        Port p = s.ports.get(port);
        if (p == null) {
            return c.error(EINVAL, "send: port not valid");
        }
        Port target;
        switch (p.state) {
            case INTERDOMAIN -> {
                if (p.remoteDom == AdapterState.DOM0) {
                    return s.dom0.send(c, p, m);
                }
                target = s.ports.get(p.remotePort);
            }
            case IPI -> target = p;
            case UNBOUND -> {
                c.note("send: ECS_UNBOUND, notification dropped (no Hyper-V call)");
                return 0;
            }
            default -> {
                return c.error(EINVAL, "send: port is " + p.state);
            }
        }
        int st = notify(c, target);
        return StatusMap.toXen(st);
    }

    /**
     * Xen: dom lookup (-ESRCH), dom0 (-EPERM: XSM_TARGET), port valid (-EINVAL); only the union
     * member of the state is written, the rest keeps the guest's bytes.
     */
    @Covers(call = "EVTCHNOP_status", as = Realisation.EMULATED, via = "adapter port table")
    @Override
    public Result<EvtchnStatus> status(Call c, EvtchnStatus a) {
        Lookup dom = s.byAnyId(a.dom());
        if (dom == Lookup.NONE) {
            return Result.error(c.error(ESRCH, "status: no domain " + a.dom()), a);
        }
        if (dom == Lookup.DOM0) {
            return Result.error(c.error(EPERM, "status: XSM_TARGET on dom0"), a);
        }
        Port p = s.ports.get(a.port());
        if (p == null) {
            return Result.error(c.error(EINVAL, "status: port not valid"), a);
        }
        long u = a.u();
        int stat;
        switch (p.state) {
            case UNBOUND -> {
                stat = EvtchnH.EVTCHNSTAT_unbound;
                u = u & ~0xffffL | p.unboundRemoteDom & 0xffff;
            }
            case INTERDOMAIN -> {
                stat = EvtchnH.EVTCHNSTAT_interdomain;
                // u.interdomain = {domid_t dom @0; 2 bytes kept @2; evtchn_port_t port @4}
                u = u & 0xffff0000L | p.remoteDom & 0xffff | (long) p.remotePort << 32;
            }
            case VIRQ -> {
                stat = EvtchnH.EVTCHNSTAT_virq;
                u = u & 0xffffffff00000000L | Integer.toUnsignedLong(p.virq);
            }
            case IPI -> stat = EvtchnH.EVTCHNSTAT_ipi;
            case PIRQ -> stat = EvtchnH.EVTCHNSTAT_pirq;
            default -> stat = EvtchnH.EVTCHNSTAT_closed;
        }
        return Result.ok(a.with(stat, p.notifyVcpu, u));
    }

    /** Xen: the vCPU first (-ENOENT), then the port (-EINVAL); per-vCPU VIRQs, IPIs, free ports refuse. */
    @Covers(call = "EVTCHNOP_bind_vcpu", as = Realisation.EMULATED, via = "adapter port table (the notify vCPU of the port)")
    @Override
    public long bindVcpu(Call c, EvtchnBindVcpu a) {
        if (!s.vcpuExists(a.vcpu())) {
            return c.error(ENOENT, "bind_vcpu: no vcpu " + Integer.toUnsignedString(a.vcpu()));
        }
        Port p = s.ports.get(a.port());
        if (p == null) {
            return c.error(EINVAL, "bind_vcpu: port not valid");
        }
        boolean movable = switch (p.state) {
            case VIRQ -> !XenH.virqIsPerVcpu(p.virq);
            case UNBOUND, INTERDOMAIN -> true;
            default -> false;
        };
        if (!movable) {
            return c.error(EINVAL, "bind_vcpu: port is " + p.state + (p.state == State.VIRQ ? " (per-vcpu)" : ""));
        }
        p.notifyVcpu = a.vcpu();
        return 0;
    }

    /**
     * Xen: not valid → -EINVAL, else 0 even for free ports. The adapter clears the mask in its
     * shared_info; a port that was masked and pending would be re-raised by a self-IPI
     * (SendSyntheticClusterIpi, not modelled): the adapter raises the upcall itself.
     */
    @Covers(call = "EVTCHNOP_unmask", as = Realisation.EMULATED, via = "shared_info mirror: clears the mask and raises the upcall itself (a self-IPI, SendSyntheticClusterIpi, is not in the model)")
    @Override
    public long unmask(Call c, int port) {
        Port p = s.ports.get(port);
        if (p == null) {
            return c.error(EINVAL, "unmask: port not valid");
        }
        if (p.usable()) {
            s.events.unmask(p.notifyVcpu, port, c.out());
        }
        return 0;
    }

    /**
     * Xen: lookup (-ESRCH), XSM_TARGET (-EPERM for dom0); then every guest port is closed. The
     * adapter never preempts, so reset_cont finds no reset in progress (-EBUSY).
     */
    @Covers(call = "EVTCHNOP_reset", as = Realisation.EMULATED, via = "adapter port table: every port closed")
    @Covers(call = "EVTCHNOP_reset_cont", as = Realisation.EMULATED, via = "adapter port table: the adapter never preempts a reset, so -EBUSY")
    @Override
    public long reset(Call c, EvtchnReset a, boolean resuming) {
        int dom = a.dom();
        Lookup d = s.byAnyId(dom);
        if (d == Lookup.NONE) {
            return c.error(ESRCH, "reset: no domain " + dom);
        }
        if (d == Lookup.DOM0) {
            return c.error(EPERM, "reset: XSM_TARGET on dom0");
        }
        if (resuming) {
            return c.error(EBUSY, "reset_cont: no reset in progress");
        }
        for (int port = 1; s.ports.valid(port); port++) {
            if (s.ports.get(port).state != State.FREE) {
                close(c, port);
            }
        }
        return 0;
    }

    /**
     * FIFO set-up: link_bits is filled in first, then vCPU (-ENOENT), offset range and alignment
     * (-EINVAL); past them the reference does not model FIFO, so neither does the adapter.
     */
    @Covers(call = "EVTCHNOP_init_control", as = Realisation.EMULATED, via = "adapter checks in Xen's order; the FIFO ABI past them is unmodelled, as in the reference")
    @Override
    public Result<EvtchnInitControl> initControl(Call c, EvtchnInitControl a) {
        EvtchnInitControl out = new EvtchnInitControl(a.controlGfn(), a.offset(), a.vcpu(), EvtchnH.EVTCHN_FIFO_LINK_BITS);
        if (!s.vcpuExists(a.vcpu())) {
            return Result.error(c.error(ENOENT, "init_control: no vcpu " + Integer.toUnsignedString(a.vcpu())), out);
        }
        if (Integer.toUnsignedLong(a.offset()) > INIT_CONTROL_MAX_OFFSET || (a.offset() & 7) != 0) {
            return Result.error(c.error(EINVAL, "init_control: bad offset"), out);
        }
        return Result.error(c.unmodelled(), out);
    }

    /** A 2-level domain has no FIFO array to expand: -EOPNOTSUPP after the copy, as Xen. */
    @Covers(call = "EVTCHNOP_expand_array", as = Realisation.EMULATED, via = "adapter port table: 2-level only, -EOPNOTSUPP after the copy as Xen without FIFO set up")
    @Override
    public long expandArray(Call c) {
        return c.error(EOPNOTSUPP, "expand_array: 2-level domain");
    }

    /** Xen: port valid (-EINVAL), then 2-level has no priorities (-ENOSYS). */
    @Covers(call = "EVTCHNOP_set_priority", as = Realisation.EMULATED, via = "adapter port table: 2-level ABI, -ENOSYS")
    @Override
    public long setPriority(Call c, int port) {
        if (!s.ports.valid(port)) {
            return c.error(EINVAL, "set_priority: port not valid");
        }
        return c.error(ENOSYS, "set_priority: 2-level ABI has no priorities");
    }

    /** Port poll for SCHEDOP_poll: -EINVAL if not valid or not usable, else 1 pending / 0 not. */
    int poll(int port) {
        Port p = s.ports.get(port);
        if (p == null || !p.usable()) {
            return -EINVAL;
        }
        return s.events.isPending(port) ? 1 : 0;
    }

    /**
     * Makes {@code target} pending for its notify vCPU: HvCallSignalEvent, then every port whose flag
     * arrived is set pending in shared_info.
     */
    private int notify(Call c, Port target) {
        int vcpu = target.notifyVcpu;
        return s.hv.signal(vcpu, target.number, c::note, port -> s.events.setPending(vcpu, port, c.out()));
    }

    private void free(Port p) {
        if (p.usable()) {
            s.events.clearPending(p.number);
        }
        s.ports.free(p);
    }
}
