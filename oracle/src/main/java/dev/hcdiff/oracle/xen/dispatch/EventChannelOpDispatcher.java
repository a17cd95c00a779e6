package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.Current;
import dev.hcdiff.oracle.xen.EventChannels;

/**
 * {@code do_event_channel_op(int cmd, arg)} (xen/common/event_channel.c) for the reference: Xen's
 * copies ({@link EventChannelOpDecoder}, which the adapter shares) over the domain's
 * {@link EventChannels}.
 */
public final class EventChannelOpDispatcher {

    private final EventChannelOpDecoder<Current> decoder;

    public EventChannelOpDispatcher(EventChannels evtchn) {
        this.decoder = new EventChannelOpDecoder<>(evtchn);
    }

    /**
     * @param cmd the sub-op ({@code int cmd})
     * @param arg guest linear address of the argument struct
     * @return the hypercall's result
     * @see xen/common/event_channel.c do_event_channel_op
     */
    public long dispatch(Current current, int cmd, long arg, GuestMemory memory) {
        return decoder.dispatch(current, cmd, arg, memory);
    }
}
