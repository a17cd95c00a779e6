package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.XenErrno;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A domain's event-channel storage and port allocator ({@code xen/common/event_channel.c}:
 * {@code evtchn_init()}, {@code evtchn_allocate_port()}, {@code get_free_port()},
 * {@code check_free_port()}; {@code xen/include/xen/event.h port_is_valid()}).
 *
 * <p>Channels live in buckets of {@link #EVTCHNS_PER_BUCKET}; {@code valid_evtchns} counts the
 * ports in allocated buckets and only grows. "Valid" means "inside an allocated bucket", not
 * "bound": a free port inside a bucket is valid (xen-abi.md §5.3, pitfall 1). Allocation can grow
 * the buckets even when the operation that asked for the port then fails.
 */
public final class EventChannelTable {

    /**
     * {@code EVTCHNS_PER_BUCKET} = PAGE_SIZE / next_power_of_2(sizeof(struct evtchn)) = 4096 / 64
     * (xen/include/xen/sched.h; xen-abi.md §5.3).
     */
    public static final int EVTCHNS_PER_BUCKET = 64;

    /** The {@code ECS_*} states of xen/include/xen/sched.h, in their order (FREE 0 … IPI 6). */
    public enum ChannelState { FREE, RESERVED, UNBOUND, INTERDOMAIN, PIRQ, VIRQ, IPI }

    /** One {@code struct evtchn}. Fields are Xen's; only the one of the current state is meaningful. */
    public static final class Channel {
        final int port;
        ChannelState state = ChannelState.FREE;
        int notifyVcpuId;
        /** {@code xen_consumer}: non-zero for a channel Xen itself consumes. */
        int xenConsumer;
        /** {@code u.unbound.remote_domid}. */
        int unboundRemoteDomid;
        /** {@code u.interdomain.remote_dom->domain_id}. */
        int interdomainRemoteDom;
        /** {@code u.interdomain.remote_port}. */
        int interdomainRemotePort;
        /** {@code u.virq}. */
        int virq;

        Channel(int port) {
            this.port = port;
        }

        public int port() {
            return port;
        }

        public ChannelState state() {
            return state;
        }

        public int notifyVcpuId() {
            return notifyVcpuId;
        }

        public boolean consumerIsXen() {
            return xenConsumer != 0;
        }

        /**
         * {@code evtchn_usable()} (xen/include/xen/event.h): not Xen-consumed and in a state above
         * ECS_RESERVED.
         */
        public boolean usable() {
            return xenConsumer == 0 && state.ordinal() > ChannelState.RESERVED.ordinal();
        }
    }

    private final List<Channel> channels = new ArrayList<>();
    private final int maxEvtchnPort;
    private final IntSupplier maxEvtchns;
    private int activeEvtchns;
    private int xenEvtchns;
    int nextEvtchn;

    /**
     * {@code evtchn_init()}: the first bucket, port 0 allocated and marked ECS_RESERVED,
     * {@code active_evtchns} back to 0.
     *
     * @param maxEvtchnPort {@code d->max_evtchn_port}
     * @param maxEvtchns    {@code max_evtchns(d)}, which follows the shared_info latch (2L: w*w)
     */
    EventChannelTable(int maxEvtchnPort, IntSupplier maxEvtchns) {
        this.maxEvtchnPort = maxEvtchnPort;
        this.maxEvtchns = maxEvtchns;
        addBucket();
        if (getFreePort() != 0) {
            throw new IllegalStateException("evtchn_init: port 0 not allocatable");
        }
        channels.getFirst().state = ChannelState.RESERVED;
        activeEvtchns = 0;
    }

    /** {@code d->valid_evtchns}: ports in allocated buckets. */
    public int validEvtchns() {
        return channels.size();
    }

    /** {@code d->max_evtchn_port}. */
    public int maxEvtchnPort() {
        return maxEvtchnPort;
    }

    /** {@code port_is_valid(d, p)}: {@code p < valid_evtchns}, p as Xen's unsigned evtchn_port_t. */
    public boolean portIsValid(int port) {
        return Integer.toUnsignedLong(port) < channels.size();
    }

    /** {@code evtchn_from_port()}: the channel of a valid port. */
    public Channel evtchnFromPort(int port) {
        return channels.get(port);
    }

    /** {@code _evtchn_from_port()}: the channel, or null when the port is not valid. */
    public Channel evtchnFromPortOrNull(int port) {
        return portIsValid(port) ? channels.get(port) : null;
    }

    /** {@code active_evtchns}. */
    int activeEvtchns() {
        return activeEvtchns;
    }

    /** {@code xen_evtchns}. */
    int xenEvtchns() {
        return xenEvtchns;
    }

    /**
     * {@code evtchn_allocate_port()}: -ENOSPC beyond the limits, -EBUSY when taken, otherwise grows
     * the buckets up to {@code port} and counts the port active.
     */
    int allocatePort(int port) {
        if (Integer.toUnsignedLong(port) > maxEvtchnPort || Integer.toUnsignedLong(port) >= maxEvtchns.getAsInt()) {
            return -XenErrno.ENOSPC;
        }
        if (portIsValid(port)) {
            if (channels.get(port).state != ChannelState.FREE) {
                return -XenErrno.EBUSY; // evtchn_is_busy() is FIFO-only
            }
        } else {
            do {
                addBucket();
            } while (port >= channels.size());
        }
        activeEvtchns++;
        return 0;
    }

    /** {@code get_free_port()}: the lowest allocatable port, or -ENOSPC. */
    int getFreePort() {
        for (int port = 0; Integer.toUnsignedLong(port) <= maxEvtchnPort; port++) {
            int rc = allocatePort(port);
            if (rc == 0) {
                return port;
            } else if (rc != -XenErrno.EBUSY) {
                return rc;
            }
        }
        return -XenErrno.ENOSPC;
    }

    /** {@code check_free_port()}: an allocated port that stayed FREE is not active after all. */
    void checkFreePort(int port) {
        if (portIsValid(port) && channels.get(port).state == ChannelState.FREE) {
            activeEvtchns--;
        }
    }

    /** The bookkeeping half of {@code evtchn_free()} (the caller clears the pending bit first). */
    void free(Channel chn) {
        if (chn.consumerIsXen()) {
            xenEvtchns--;
        }
        activeEvtchns--;
        chn.state = ChannelState.FREE;
        chn.notifyVcpuId = 0;
        chn.xenConsumer = 0;
    }

    /** Marks a freshly allocated channel as consumed by Xen ({@code alloc_unbound_xen_event_channel()}). */
    void markXenConsumer(Channel chn, int consumer) {
        chn.xenConsumer = consumer;
        xenEvtchns++;
    }

    /** The ports that are not FREE, in port order (for invariants and reports). */
    public List<Channel> inUse() {
        return channels.stream().filter(c -> c.state != ChannelState.FREE).toList();
    }

    private void addBucket() {
        int base = channels.size();
        for (int i = 0; i < EVTCHNS_PER_BUCKET; i++) {
            channels.add(new Channel(base + i));
        }
    }
}
