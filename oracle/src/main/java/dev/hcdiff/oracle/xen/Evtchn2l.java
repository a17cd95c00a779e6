package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.EventChannelTable.Channel;
import dev.hcdiff.oracle.xen.platform.SharedInfo;

/**
 * The 2-level event-channel ABI on the model's shared_info ({@code xen/common/event_2l.c}). The
 * bit order of each operation is Xen's and matters: a port already pending changes nothing, not
 * even a poller; a masked port sets only its pending bit; the upcall is raised only when the
 * selector bit goes 0→1 (and then only on {@code evtchn_upcall_pending}'s 0→1).
 */
final class Evtchn2l {

    private final XenDomain d;

    Evtchn2l(XenDomain d) {
        this.d = d;
    }

    private SharedInfo shinfo() {
        return d.sharedInfo();
    }

    /**
     * {@code evtchn_2l_set_pending()}. A 0→1 pending bit is reported as
     * {@code eventPending(port)}; pollers wake on it ({@code evtchn_check_pollers()}), which the
     * recorder reads from that same entry.
     *
     * @see xen/common/event_2l.c evtchn_2l_set_pending
     */
    void setPending(Current current, XenVcpu v, Channel evtchn) {
        int port = evtchn.port();
        if (shinfo().testAndSetPending(port)) {
            return;
        }
        current.observed().eventPending(port);
        if (!shinfo().testMask(port)
                && !shinfo().testAndSetPendingSel(v.vcpuId(), port / shinfo().bitsPerEvtchnWord())) {
            d.vcpuMarkEventsPending(current, v);
        }
    }

    /** @see xen/common/event_2l.c evtchn_2l_clear_pending */
    void clearPending(Channel evtchn) {
        shinfo().clearPending(evtchn.port());
    }

    /**
     * {@code evtchn_2l_unmask()}: clears the mask bit; only if it was set, the port is pending and
     * the selector bit was clear does the vCPU get an upcall.
     *
     * @see xen/common/event_2l.c evtchn_2l_unmask
     */
    void unmask(Current current, Channel evtchn) {
        XenVcpu v = d.vcpu(evtchn.notifyVcpuId());
        int port = evtchn.port();
        if (shinfo().testAndClearMask(port)
                && shinfo().testPending(port)
                && !shinfo().testAndSetPendingSel(v.vcpuId(), port / shinfo().bitsPerEvtchnWord())) {
            d.vcpuMarkEventsPending(current, v);
        }
    }

    /** @see xen/common/event_2l.c evtchn_2l_is_pending */
    boolean isPending(Channel evtchn) {
        int maxPorts = shinfo().bitsPerEvtchnWord() * shinfo().bitsPerEvtchnWord();
        return evtchn.port() < maxPorts && shinfo().testPending(evtchn.port());
    }

    /** 2-level {@code max_evtchns(d)}: w*w, 4096 native or 1024 with the compat layout. */
    int maxEvtchns() {
        return shinfo().bitsPerEvtchnWord() * shinfo().bitsPerEvtchnWord();
    }
}
