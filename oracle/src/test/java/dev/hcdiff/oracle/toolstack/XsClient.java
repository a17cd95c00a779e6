package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The guest's side of the xenstore ring for tests, written after hvmloader's
 * {@code tools/firmware/hvmloader/xenbus.c} ({@code ring_write()}, {@code ring_read()}): requests go
 * into {@code req[]} at req_prod, replies come out of {@code rsp[]} at rsp_cons.
 */
public final class XsClient {

    /** A reply as the daemon sent it. */
    public record Reply(int type, int reqId, int txId, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }
    }

    final SparseRam ram;
    final long ring;

    public XsClient(SparseRam ram, long ringGpa) {
        this.ram = ram;
        this.ring = ringGpa;
    }

    /** Bytes "a\0b\0" for the strings given, each NUL-terminated. */
    static byte[] strings(String... s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String x : s) {
            out.writeBytes(x.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Puts raw bytes into req[] at req_prod (wrapping) and advances req_prod. */
    void writeRaw(byte[] data) {
        int prod = ram.u32(ring + XsWire.RING_REQ_PROD);
        for (int i = 0; i < data.length; i++) {
            ram.put(ring + XsWire.RING_REQ + ((prod + i) & (XsWire.XENSTORE_RING_SIZE - 1)), new byte[] {data[i]});
        }
        ram.putU32(ring + XsWire.RING_REQ_PROD, prod + data.length);
    }

    /** A request: header {type, reqId, txId, len} and payload. */
    void request(int type, int reqId, int txId, byte[] payload) {
        byte[] h = new byte[16];
        Xenstored.put32(h, 0, type);
        Xenstored.put32(h, 4, reqId);
        Xenstored.put32(h, 8, txId);
        Xenstored.put32(h, 12, payload.length);
        writeRaw(h);
        writeRaw(payload);
    }

    /**
     * A request of any size as a guest sends one: as much as req[] has room for, then a kick, until
     * all of it is in ({@code xenbus.c ring_write()}).
     *
     * @return whether any kick notified the guest
     */
    boolean send(Xenstored xs, int type, int reqId, int txId, byte[] payload) {
        byte[] msg = new byte[16 + payload.length];
        Xenstored.put32(msg, 0, type);
        Xenstored.put32(msg, 4, reqId);
        Xenstored.put32(msg, 8, txId);
        Xenstored.put32(msg, 12, payload.length);
        System.arraycopy(payload, 0, msg, 16, payload.length);
        boolean notified = false;
        int off = 0;
        while (off < msg.length) {
            int used = ram.u32(ring + XsWire.RING_REQ_PROD) - ram.u32(ring + XsWire.RING_REQ_CONS);
            int n = Math.min(XsWire.XENSTORE_RING_SIZE - used, msg.length - off);
            writeRaw(Arrays.copyOfRange(msg, off, off + n));
            off += n;
            notified |= service(xs, ram);
        }
        return notified;
    }

    /** Bytes available in rsp[]. */
    public int available() {
        return ram.u32(ring + XsWire.RING_RSP_PROD) - ram.u32(ring + XsWire.RING_RSP_CONS);
    }

    private byte[] readRaw(int n) {
        int cons = ram.u32(ring + XsWire.RING_RSP_CONS);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = ram.get(ring + XsWire.RING_RSP + ((cons + i) & (XsWire.XENSTORE_RING_SIZE - 1)), 1)[0];
        }
        ram.putU32(ring + XsWire.RING_RSP_CONS, cons + n);
        return out;
    }

    /** The next message in rsp[], or null when fewer than a header's bytes are there. */
    public Reply next() {
        if (available() < 16) {
            return null;
        }
        byte[] h = readRaw(16);
        int len = Xenstored.le32(h, 12);
        return new Reply(Xenstored.le32(h, 0), Xenstored.le32(h, 4), Xenstored.le32(h, 8), readRaw(len));
    }

    static String errno(Reply r) {
        return r.type() == XsWire.XS_ERROR ? new String(Arrays.copyOf(r.payload(), r.payload().length - 1),
                StandardCharsets.ISO_8859_1) : null;
    }

    static boolean service(Xenstored xs, SparseRam ram) {
        try {
            return xs.service(ram);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }
}
