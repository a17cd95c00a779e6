package dev.hcdiff.oracle.xen.abi;

/** Constants of {@code xen/include/public/event_channel.h} (Xen 4.17.7). */
public final class EvtchnH {

    private EvtchnH() {
    }

    /** event_channel.h EVTCHNOP_bind_interdomain. */
    public static final int EVTCHNOP_bind_interdomain = 0;
    /** event_channel.h EVTCHNOP_bind_virq. */
    public static final int EVTCHNOP_bind_virq = 1;
    /** event_channel.h EVTCHNOP_bind_pirq. */
    public static final int EVTCHNOP_bind_pirq = 2;
    /** event_channel.h EVTCHNOP_close. */
    public static final int EVTCHNOP_close = 3;
    /** event_channel.h EVTCHNOP_send. */
    public static final int EVTCHNOP_send = 4;
    /** event_channel.h EVTCHNOP_status. */
    public static final int EVTCHNOP_status = 5;
    /** event_channel.h EVTCHNOP_alloc_unbound. */
    public static final int EVTCHNOP_alloc_unbound = 6;
    /** event_channel.h EVTCHNOP_bind_ipi. */
    public static final int EVTCHNOP_bind_ipi = 7;
    /** event_channel.h EVTCHNOP_bind_vcpu. */
    public static final int EVTCHNOP_bind_vcpu = 8;
    /** event_channel.h EVTCHNOP_unmask. */
    public static final int EVTCHNOP_unmask = 9;
    /** event_channel.h EVTCHNOP_reset. */
    public static final int EVTCHNOP_reset = 10;
    /** event_channel.h EVTCHNOP_init_control. */
    public static final int EVTCHNOP_init_control = 11;
    /** event_channel.h EVTCHNOP_expand_array. */
    public static final int EVTCHNOP_expand_array = 12;
    /** event_channel.h EVTCHNOP_set_priority. */
    public static final int EVTCHNOP_set_priority = 13;
    /** event_channel.h EVTCHNOP_reset_cont (Xen's own continuation of reset, also guest-callable). */
    public static final int EVTCHNOP_reset_cont = 14;

    /** event_channel.h EVTCHNSTAT_closed (ECS_FREE and ECS_RESERVED). */
    public static final int EVTCHNSTAT_closed = 0;
    /** event_channel.h EVTCHNSTAT_unbound. */
    public static final int EVTCHNSTAT_unbound = 1;
    /** event_channel.h EVTCHNSTAT_interdomain. */
    public static final int EVTCHNSTAT_interdomain = 2;
    /** event_channel.h EVTCHNSTAT_pirq. */
    public static final int EVTCHNSTAT_pirq = 3;
    /** event_channel.h EVTCHNSTAT_virq. */
    public static final int EVTCHNSTAT_virq = 4;
    /** event_channel.h EVTCHNSTAT_ipi. */
    public static final int EVTCHNSTAT_ipi = 5;

    /** event_channel.h EVTCHN_FIFO_LINK_BITS: what init_control writes into link_bits. */
    public static final int EVTCHN_FIFO_LINK_BITS = 17;
    /** event_channel.h EVTCHN_FIFO_NR_CHANNELS. */
    public static final int EVTCHN_FIFO_NR_CHANNELS = 1 << EVTCHN_FIFO_LINK_BITS;
    /** sizeof(evtchn_fifo_control_block_t) = {u32 ready; u32 _rsvd; u32 head[16]} = 72 bytes. */
    public static final int EVTCHN_FIFO_CONTROL_BLOCK_SIZE = 72;
}
