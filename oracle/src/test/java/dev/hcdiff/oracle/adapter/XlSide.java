package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.toolstack.SparseRam;
import dev.hcdiff.oracle.toolstack.XsClient;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * One personality serving an {@code xl-hvm} guest on issue 3's memory layout: low RAM, the recorder's
 * high RAM [0xFC000000, 0xFE000000) and the special pages [0xFEFF0000, 0xFF000000), each side with
 * its own RAM. Requests go through {@link Serving#serve}; the virtual clock is the caller's.
 */
final class XlSide {

    /** Low RAM: 64 MiB. */
    static final long MEMORY = 64L << 20;
    /** The store ring's page (HVM_PARAM_STORE_PFN 0xFEFFC, xg_dom_x86.c special_pfn(4)). */
    static final long STORE = 0xFEFFCL << 12;
    /** The console ring's page (HVM_PARAM_CONSOLE_PFN 0xFEFFF). */
    static final long CONSOLE = 0xFEFFFL << 12;

    final SparseRam ram = new SparseRam(new long[] {0, MEMORY}, new long[] {0xFC00_0000L, 0xFE00_0000L},
            new long[] {0xFEFF_0000L, 0xFF00_0000L});
    final Backend backend;
    long now;

    XlSide(Backend backend) {
        this.backend = backend;
    }

    /** The configuration both sides share: xl-hvm, 64 MiB, and the given TSC rate. */
    static XenConfig config(int tscKhz) {
        return XenConfig.fromMap(new TreeMap<>(Map.of("xen.domain", "xl-hvm", "xen.memory-bytes", Long.toString(MEMORY),
                "xen.tsc-khz", Integer.toString(tscKhz))));
    }

    Observation serve(GuestRequest r) {
        return Serving.serve(backend, r, ram, now).observation();
    }

    static Hypercall call(Abi abi, long nr, long... args) {
        long[] six = new long[Hypercall.ARG_COUNT];
        System.arraycopy(args, 0, six, 0, args.length);
        return new Hypercall(0, abi, nr, six);
    }

    /**
     * Queues an XS_READ of {@code path} on the store ring as xenbus.c does (header
     * {type=2, req_id=0, tx_id=0, len} and the path with its NUL), and puts {@code evtchn_send_t}
     * for {@code port} at {@code arg}.
     */
    void queueXsRead(String path, long arg, int port) {
        byte[] p = (path + "\0").getBytes(StandardCharsets.ISO_8859_1);
        int prod = ram.u32(STORE + 2052);
        byte[] msg = new byte[16 + p.length];
        msg[0] = 2;
        msg[12] = (byte) p.length;
        System.arraycopy(p, 0, msg, 16, p.length);
        for (int i = 0; i < msg.length; i++) {
            ram.put(STORE + ((prod + i) & 1023), new byte[] {msg[i]});
        }
        ram.putU32(STORE + 2052, prod + msg.length);
        ram.putU32(arg, port);
    }

    /** Takes the next reply off the store ring: {type, payload}. */
    String[] takeXsReply() {
        XsClient.Reply reply = new XsClient(ram, STORE).next();
        return new String[] {Integer.toString(reply.type()), reply.text()};
    }
}
