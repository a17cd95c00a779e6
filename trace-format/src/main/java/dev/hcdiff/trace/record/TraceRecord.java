package dev.hcdiff.trace.record;

/**
 * One event of a journal, in order. Sequence numbers start at 0 and increase by one per record;
 * {@code timeNs} is the guest's virtual time (ns since the VM was created) when the event happened.
 */
public sealed interface TraceRecord permits Exchange, TransportPage, Delivery, GuestStop {

    /** Position in the journal, from 0. */
    long seq();

    /** Virtual time of the event in ns since VM creation. */
    long timeNs();
}
