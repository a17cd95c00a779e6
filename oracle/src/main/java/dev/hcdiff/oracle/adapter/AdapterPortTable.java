package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.xen.abi.XenErrno;
import dev.hcdiff.oracle.xen.abi.XenH;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The adapter's own Xen event-channel port table. Hyper-V has no guest-visible port objects (ports
 * and connections are root-only, REQ; hyperv-abi.md §8a), so an adapter must keep Xen's table
 * itself and give the guest Xen's numbering and errors: port 0 reserved, lowest free port first,
 * storage in buckets of 64 where "valid" means "inside an allocated bucket" ({@code
 * xen/common/event_channel.c get_free_port()}, {@code evtchn_allocate_port()}; {@code
 * xen/include/xen/event.h port_is_valid()}; xen-abi.md §5.3).
 *
 * <p>Pure state: the sub-ops that check arguments and decide errnos live in {@link EventChannelOps}.
 */
final class AdapterPortTable {

    /** {@code EVTCHNS_PER_BUCKET} = 4096 / 64-byte {@code struct evtchn} (xen/include/xen/sched.h). */
    static final int PORTS_PER_BUCKET = 64;

    /** Channel states in Xen's {@code ECS_*} order (xen/include/xen/sched.h). */
    enum State { FREE, RESERVED, UNBOUND, INTERDOMAIN, PIRQ, VIRQ, IPI }

    /** One port. Only the fields of the current state mean anything. */
    static final class Port {
        final int number;
        State state = State.FREE;
        int notifyVcpu;
        /** UNBOUND: the domain allowed to bind. */
        int unboundRemoteDom;
        /** INTERDOMAIN: the other end: this domain (loopback) or dom0 (the toolstack's channels). */
        int remoteDom;
        int remotePort;
        /** VIRQ: which one. */
        int virq;

        Port(int number) {
            this.number = number;
        }

        /** {@code evtchn_usable()}: a state above RESERVED (the adapter has no Xen-consumed ports). */
        boolean usable() {
            return state.ordinal() > State.RESERVED.ordinal();
        }
    }

    private final List<Port> ports = new ArrayList<>();
    private final int maxEvtchnPort;
    private final IntSupplier maxEvtchns;
    private final int[][] virqToPort;
    private int active;

    /**
     * @param maxEvtchnPort the toolstack's limit ({@code xen.max-evtchn-port})
     * @param maxEvtchns    the ABI's limit, which follows the shared_info layout (2-level: w*w)
     * @param vcpus         vCPUs, for the per-vCPU VIRQ bindings
     */
    AdapterPortTable(int maxEvtchnPort, IntSupplier maxEvtchns, int vcpus) {
        this.maxEvtchnPort = maxEvtchnPort;
        this.maxEvtchns = maxEvtchns;
        this.virqToPort = new int[vcpus][XenH.NR_VIRQS];
        addBucket();
        // evtchn_init(): port 0 is taken and reserved for ever.
        ports.getFirst().state = State.RESERVED;
    }

    /** Inside an allocated bucket (the port as Xen's unsigned evtchn_port_t). */
    boolean valid(int port) {
        return Integer.toUnsignedLong(port) < ports.size();
    }

    /** The port, or null when not valid. */
    Port get(int port) {
        return valid(port) ? ports.get(port) : null;
    }

    int active() {
        return active;
    }

    /**
     * The lowest free port, growing the buckets when needed; -ENOSPC past
     * {@code max_evtchn_port} or the ABI limit. The port is counted active; a caller that then
     * fails releases it with {@link #release}.
     */
    int allocate() {
        for (long p = 0; p <= maxEvtchnPort; p++) {
            if (p >= maxEvtchns.getAsInt()) {
                return -XenErrno.ENOSPC;
            }
            while (p >= ports.size()) {
                addBucket();
            }
            if (ports.get((int) p).state == State.FREE) {
                active++;
                return (int) p;
            }
        }
        return -XenErrno.ENOSPC;
    }

    /** Gives back a port {@link #allocate} handed out that stayed FREE ({@code check_free_port()}). */
    void release(int port) {
        if (valid(port) && ports.get(port).state == State.FREE) {
            active--;
        }
    }

    /** Frees a port ({@code evtchn_free()}): FREE, notify vCPU 0; buckets stay. */
    void free(Port p) {
        active--;
        p.state = State.FREE;
        p.notifyVcpu = 0;
    }

    int virqPort(int vcpu, int virq) {
        return virqToPort[vcpu][virq];
    }

    void setVirqPort(int vcpu, int virq, int port) {
        virqToPort[vcpu][virq] = port;
    }

    private void addBucket() {
        int base = ports.size();
        for (int i = 0; i < PORTS_PER_BUCKET; i++) {
            ports.add(new Port(base + i));
        }
    }
}
