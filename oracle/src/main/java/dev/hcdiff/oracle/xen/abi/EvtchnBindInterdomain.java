package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_bind_interdomain} (xen/include/public/event_channel.h):
 * {@code domid_t remote_dom}@0, 2 bytes of padding@2, {@code evtchn_port_t remote_port}@4,
 * OUT {@code evtchn_port_t local_port}@8; 12 bytes in both ABIs.
 *
 * @param remoteDom  u16
 * @param padding    the 2 implicit padding bytes after remote_dom (little-endian u16), kept because
 *                   Xen copies the whole struct back on success
 * @param remotePort u32
 * @param localPort  OUT, u32
 */
public record EvtchnBindInterdomain(int remoteDom, int padding, int remotePort, int localPort) {

    /** sizeof(struct evtchn_bind_interdomain), both ABIs. */
    public static final int SIZE = 12;

    public EvtchnBindInterdomain(int remoteDom, int remotePort, int localPort) {
        this(remoteDom, 0, remotePort, localPort);
    }

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnBindInterdomain decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_bind_interdomain");
        return new EvtchnBindInterdomain(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u32(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, remoteDom);
        Le.put16(b, 2, padding);
        Le.put32(b, 4, remotePort);
        Le.put32(b, 8, localPort);
        return b;
    }

    public EvtchnBindInterdomain withLocalPort(int port) {
        return new EvtchnBindInterdomain(remoteDom, padding, remotePort, port);
    }
}
