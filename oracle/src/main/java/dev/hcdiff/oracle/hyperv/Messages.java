package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Interrupt;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Delivery of posted messages to the SIM slots of their ports (TLFS "Inter-Partition
 * Communication", message delivery; hyperv-abi.md §6): a message goes into the slot of the port's
 * (VP, SINT) when the slot is empty and the SINT is asserted; otherwise it waits in one of the
 * port's {@value #BUFFERS_PER_PORT} guest message buffers and MessagePending is set in the occupied
 * slot; an EOM retries. With every buffer taken the post fails with INSUFFICIENT_BUFFERS. A
 * message's origination id is the port id; the model names a port by its connection id.
 */
final class Messages {

    /** Guest message buffers per port (hyperv-abi.md §6: "one of the port's 16 guest message buffers"). */
    static final int BUFFERS_PER_PORT = 16;

    private final HvPartition p;
    /** Waiting messages per port, by connection id (iteration order is the retry order). */
    private final Map<Integer, ArrayDeque<byte[]>> waiting = new TreeMap<>();

    Messages(HvPartition p) {
        this.p = p;
    }

    /** Messages waiting in the buffers of the port {@code connectionId} reaches. */
    int waiting(int connectionId) {
        ArrayDeque<byte[]> q = waiting.get(connectionId);
        return q == null ? 0 : q.size();
    }

    /**
     * Posts a message (already checked) to message port {@code port}.
     *
     * @return SUCCESS, or INSUFFICIENT_BUFFERS when the port's buffers are all taken
     */
    int post(HvPort port, int type, byte[] payload, GuestMemory memory, Consumer<Interrupt> irqs) throws GuestFault {
        byte[] message = SimPage.message(type, port.connectionId(), payload);
        ArrayDeque<byte[]> q = waiting.computeIfAbsent(port.connectionId(), k -> new ArrayDeque<>());
        SynIc s = p.synicUnchecked(port.vp());
        long slot = SimPage.slot(s, port.sint());
        // Earlier messages of the port go first: a new one may not overtake the queue.
        if (q.isEmpty() && SimPage.empty(memory, slot)) {
            place(port, s, slot, message, memory, irqs);
            return HvStatus.SUCCESS;
        }
        if (q.size() >= BUFFERS_PER_PORT) {
            return HvStatus.INSUFFICIENT_BUFFERS;
        }
        q.add(message);
        SimPage.setPending(memory, slot);
        return HvStatus.SUCCESS;
    }

    /** After an EOM on VP {@code vp}: moves its ports' waiting messages into emptied slots. */
    void retry(int vp, GuestMemory memory, Consumer<Interrupt> irqs) {
        for (var e : waiting.entrySet()) {
            ArrayDeque<byte[]> q = e.getValue();
            HvPort port = p.config().ports().lookup(e.getKey()).orElseThrow();
            if (q.isEmpty() || port.vp() != vp) {
                continue;
            }
            SynIc s = p.synicUnchecked(port.vp());
            if ((s.simp() & SynIc.PAGE_ENABLE) == 0) {
                continue;
            }
            long slot = SimPage.slot(s, port.sint());
            try {
                if (SimPage.empty(memory, slot)) {
                    place(port, s, slot, q.poll(), memory, irqs);
                }
                if (!q.isEmpty()) {
                    SimPage.setPending(memory, slot);
                }
            } catch (GuestFault f) {
                // The SIM page left RAM: the messages keep waiting.
            }
        }
    }

    private void place(HvPort port, SynIc s, long slot, byte[] message, GuestMemory memory, Consumer<Interrupt> irqs)
            throws GuestFault {
        memory.writePhysical(slot, message);
        int sint = port.sint();
        // A masked SINT loses the interrupt; Polling raises none (TLFS); KVM ignores Polling.
        if (!s.masked(sint) && !(p.personality() == HvPersonality.TLFS && s.polling(sint))) {
            irqs.accept(new Interrupt(port.vp(), s.vector(sint), "sint" + sint));
        }
    }
}
