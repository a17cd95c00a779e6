package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

import java.util.ArrayDeque;
import java.util.Arrays;

import static dev.hcdiff.oracle.toolstack.XsWire.*;

/**
 * oxenstored's connection to one domain over the shared page ({@code struct
 * xenstore_domain_interface}, xen/include/public/io/xs_wire.h), as {@code tools/ocaml/libs/xb}
 * (Xen 4.17.7) runs it: {@code Xb.input}/{@code Xb.output} with their partial header, packet and
 * output buffers, over {@code xs_ring_stubs.c ml_interface_read}/{@code ml_interface_write}, and
 * the reconnection protocol ({@code Xb.reconnect}, {@code ml_interface_close}). Every index and
 * byte goes through {@link GuestMemory}, guest-physically.
 */
final class XsRing {

    /** oxenstored.conf quota-maxoutstanding: replies queued before input stops ({@code Xb.can_input}). */
    static final int MAXOUTSTANDING = 1024;
    /** oxenstored.conf quota-maxwatchevents: the queue's other class. */
    static final int MAXWATCHEVENTS = 1024;

    /** The guest set {@code connection} to something other than XENSTORE_CONNECTED ({@code Xb.Reconnect}). */
    static final class Reconnect extends Exception {
        Reconnect() {
            super("Xb.Reconnect", null, false, false);
        }
    }

    /** A complete request ({@code Packet.t}). */
    @FunctionalInterface
    interface Handler {
        void process(int type, int reqId, int txId, byte[] payload);
    }

    /** A queued message and whether it is a watch event ({@code Xb.classify}). */
    private record Packet(byte[] bytes, boolean event) {
    }

    private final long ringGpa;
    private final byte[] header = new byte[HEADER_SIZE];
    private int headerUsed;
    /** The packet being read once its header is in ({@code HaveHdr}), else null. */
    private byte[] body;
    private int bodyUsed;
    private int hdrType;
    private int hdrReqId;
    private int hdrTxId;
    private final ArrayDeque<Packet> pktOut = new ArrayDeque<>();
    private int repliesQueued;
    private byte[] partialOut = new byte[0];
    private boolean bad;
    private boolean notified;
    /** {@code backend.work_again}: the last read moved bytes. */
    private boolean workAgain;

    XsRing(long ringGpa) {
        this.ringGpa = ringGpa;
    }

    /** {@code Domain.is_bad_domain}: oxenstored stopped serving the domain. */
    boolean bad() {
        return bad;
    }

    /** Whether {@code eventchn_notify} ran since the last call, and resets it. */
    boolean takeNotified() {
        boolean n = notified;
        notified = false;
        return n;
    }

    /**
     * {@code Xb.open_mmap}, when dom0 introduces the domain: "Advertise
     * XENSTORE_SERVER_FEATURE_RECONNECTION" in {@code server_features}.
     */
    void openMmap(GuestMemory m) throws GuestFault {
        putU32(m, RING_SERVER_FEATURES, XENSTORE_SERVER_FEATURE_RECONNECTION);
    }

    /** {@code Xb.queue} of a reply; {@code Connection.packet_of} turns an over-long one into E2BIG. */
    void queueReply(int type, int reqId, int txId, byte[] data) {
        pktOut.addLast(new Packet(packetOf(type, reqId, txId, data), false));
        repliesQueued++;
    }

    /** A watch event: header ids 0, no duplicate dropping. */
    void queueEvent(byte[] data) {
        pktOut.addLast(new Packet(packetOf(XS_WATCH_EVENT, 0, 0, data), true));
    }

    private static byte[] packetOf(int type, int reqId, int txId, byte[] data) {
        byte[] d = data;
        int t = type;
        if (d.length > XENSTORE_PAYLOAD_MAX) {
            t = XS_ERROR;
            d = Xenstored.cstr("E2BIG");
        }
        byte[] p = new byte[HEADER_SIZE + d.length];
        put32(p, 0, t);
        put32(p, 4, reqId);
        put32(p, 8, txId);
        put32(p, 12, d.length);
        System.arraycopy(d, 0, p, HEADER_SIZE, d.length);
        return p;
    }

    /** {@code Xb.can_input}: room for a reply in the bounded queue. */
    boolean canInput() {
        return repliesQueued < MAXOUTSTANDING && pktOut.size() < MAXOUTSTANDING + MAXWATCHEVENTS;
    }

    /** {@code Xb.has_more_input}. */
    boolean hasMoreInput() {
        return workAgain;
    }

    boolean hasOldOutput() {
        return partialOut.length > 0;
    }

    boolean hasNewOutput() {
        return !pktOut.isEmpty();
    }

    /**
     * {@code Connection.do_input} → {@code Xb.input}: one read of the rest of the header or of the
     * payload (its length clamped to XENSTORE_PAYLOAD_MAX: {@code Partial.of_string}); a complete
     * packet goes to {@code handler}. Bad indexes mark the domain bad ({@code Process.do_input}:
     * "got a bad client").
     *
     * @return true when a packet was processed
     * @throws Reconnect when the guest asked for a reconnection
     */
    boolean input(GuestMemory m, Handler handler) throws GuestFault, Reconnect {
        if (!canInput()) {
            return false;
        }
        if (body == null) {
            int toRead = HEADER_SIZE - headerUsed;
            int sz = read(m, header, headerUsed, toRead);
            if (sz < 0) {
                return false;
            }
            headerUsed += sz;
            if (sz == toRead) {
                hdrTxId = le32(header, 8);
                hdrReqId = le32(header, 4);
                hdrType = le32(header, 0);
                long len = Integer.toUnsignedLong(le32(header, 12));
                body = new byte[(int) Math.min(len, XENSTORE_PAYLOAD_MAX)];
                bodyUsed = 0;
                headerUsed = 0;
            }
            return false;
        }
        int toRead = body.length - bodyUsed;
        if (toRead > 0) {
            int sz = read(m, body, bodyUsed, toRead);
            if (sz < 0) {
                return false;
            }
            bodyUsed += sz;
        }
        if (bodyUsed < body.length) {
            return false;
        }
        byte[] payload = body;
        body = null;
        handler.process(hdrType, hdrReqId, hdrTxId, payload);
        return true;
    }

    /**
     * {@code Xb.output}: the rest of the last message, or the next one, as far as the ring takes it.
     * An index the guest corrupted loses the message being written (the exception escapes
     * {@code Process.do_output} after {@code Queue.pop}).
     *
     * @return bytes written
     * @throws Reconnect when the guest asked for a reconnection
     */
    int output(GuestMemory m) throws GuestFault, Reconnect {
        byte[] s;
        if (partialOut.length > 0) {
            s = partialOut;
        } else if (!pktOut.isEmpty()) {
            Packet p = pktOut.removeFirst();
            if (!p.event()) {
                repliesQueued--;
            }
            s = p.bytes();
        } else {
            return 0;
        }
        int sz = write(m, s);
        if (sz < 0) {
            return 0;
        }
        partialOut = Arrays.copyOfRange(s, sz, s.length);
        return sz;
    }

    /**
     * {@code ml_interface_read}: {@code connection} first (not XENSTORE_CONNECTED: Reconnect),
     * then the indexes ({@code prod - cons > XENSTORE_RING_SIZE}: "bad connection"), then up to
     * {@code len} bytes across the end of the ring; {@code read_mmap} notifies when it moved any.
     *
     * @return bytes read, or -1 when the domain was marked bad
     */
    private int read(GuestMemory m, byte[] into, int off, int len) throws GuestFault, Reconnect {
        int cons = u32(m, RING_REQ_CONS);
        int prod = u32(m, RING_REQ_PROD);
        if (u32(m, RING_CONNECTION) != XENSTORE_CONNECTED) {
            throw new Reconnect();
        }
        if (Integer.toUnsignedLong(prod - cons) > XENSTORE_RING_SIZE) {
            bad = true; // Connection.mark_as_bad
            return -1;
        }
        int total = prod - cons;
        workAgain = false;
        if (total == 0) {
            return 0;
        }
        int n = Math.min(len, total);
        copyOut(m, RING_REQ, cons, into, off, n);
        putU32(m, RING_REQ_CONS, cons + n);
        workAgain = true;
        notified = true;
        return n;
    }

    /**
     * {@code ml_interface_write}: {@code connection}, the indexes, then as much as fits across the
     * end of the ring; {@code write_mmap} notifies when it moved any.
     *
     * @return bytes written, or -1 for bad indexes
     */
    private int write(GuestMemory m, byte[] s) throws GuestFault, Reconnect {
        int cons = u32(m, RING_RSP_CONS);
        int prod = u32(m, RING_RSP_PROD);
        if (u32(m, RING_CONNECTION) != XENSTORE_CONNECTED) {
            throw new Reconnect();
        }
        if (Integer.toUnsignedLong(prod - cons) > XENSTORE_RING_SIZE) {
            return -1;
        }
        int space = XENSTORE_RING_SIZE - (prod - cons);
        if (space == 0) {
            return 0;
        }
        int n = Math.min(s.length, space);
        int at = prod & (XENSTORE_RING_SIZE - 1);
        int first = Math.min(n, XENSTORE_RING_SIZE - at);
        m.writePhysical(ringGpa + RING_RSP + at, Arrays.copyOfRange(s, 0, first));
        if (first < n) {
            m.writePhysical(ringGpa + RING_RSP, Arrays.copyOfRange(s, first, n));
        }
        putU32(m, RING_RSP_PROD, prod + n);
        if (n > 0) {
            notified = true;
        }
        return n;
    }

    private void copyOut(GuestMemory m, int ringOff, int cons, byte[] into, int off, int n) throws GuestFault {
        int at = cons & (XENSTORE_RING_SIZE - 1);
        int first = Math.min(n, XENSTORE_RING_SIZE - at);
        System.arraycopy(m.readPhysical(ringGpa + ringOff + at, first), 0, into, off, first);
        if (first < n) {
            System.arraycopy(m.readPhysical(ringGpa + ringOff, n - first), 0, into, off + first, n - first);
        }
    }

    /**
     * {@code Xb.reconnect}: {@code ml_interface_close} (all four indexes 0, both rings filled with
     * 0xff "invalid xenstore packets", {@code connection} = XENSTORE_CONNECTED), a notification,
     * and the queue and partial buffers dropped (the caller drops watches and transactions).
     */
    void reconnect(GuestMemory m) throws GuestFault {
        putU32(m, RING_REQ_CONS, 0);
        putU32(m, RING_REQ_PROD, 0);
        putU32(m, RING_RSP_CONS, 0);
        putU32(m, RING_RSP_PROD, 0);
        byte[] ff = new byte[XENSTORE_RING_SIZE];
        Arrays.fill(ff, (byte) 0xff);
        m.writePhysical(ringGpa + RING_REQ, ff);
        m.writePhysical(ringGpa + RING_RSP, ff);
        putU32(m, RING_CONNECTION, XENSTORE_CONNECTED);
        notified = true;
        pktOut.clear();
        repliesQueued = 0;
        headerUsed = 0;
        body = null;
        partialOut = new byte[0];
    }

    private int u32(GuestMemory m, int off) throws GuestFault {
        return le32(m.readPhysical(ringGpa + off, 4), 0);
    }

    private void putU32(GuestMemory m, int off, int v) throws GuestFault {
        byte[] b = new byte[4];
        put32(b, 0, v);
        m.writePhysical(ringGpa + off, b);
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void put32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
