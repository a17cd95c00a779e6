package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.toolstack.Toolstack;

/**
 * dom0's services as the root partition runs them for the guest: xenstored and xenconsoled
 * ({@link Toolstack}, reused as is: they are the toolstack's, not the hypervisor's). A guest's
 * EVTCHNOP_send on a port bound to dom0 reaches them as HvCallSignalEvent on the root connection
 * "the root" preconfigured ({@link HvLink#signalRoot}); the daemon runs, and its notification comes
 * back as the root's SignalEvent into the guest's port ({@link HvLink#signalFromRoot}), which the
 * adapter shows the Xen way: pending bit, selector and upcall in the shared_info mirror.
 *
 * <p>Like the reference, the daemons answer inside the observation of the send that woke them
 * (deterministic); a real root answers asynchronously, after the guest's SignalEvent returned.
 */
final class Dom0Services {

    private final AdapterState s;
    private boolean introduced;

    Dom0Services(AdapterState s) {
        this.s = s;
    }

    /**
     * xs_introduce_domain() happens in the root before the domain first runs, and xenstored then
     * writes the store ring's server_features ({@link Toolstack#introduce}); the adapter, like the
     * reference, has guest memory only while serving, so the write lands in the first request's
     * observation.
     */
    void introduceOnce(GuestMemory memory, java.util.function.Consumer<String> trail) {
        if (!introduced && s.toolstack != null) {
            s.toolstack.introduce(memory);
            trail.accept("root: xenstored introduced the domain (server_features on the store ring)");
        }
        introduced = true;
    }

    /**
     * EVTCHNOP_send on a port bound to dom0's {@code p.remotePort}: SignalEvent to the root, then
     * the root's daemons serve every root port signalled.
     *
     * @return 0, or the mapped status of a SignalEvent the partition refused
     */
    long send(Call c, AdapterPortTable.Port p, GuestMemory memory) {
        int st = s.hv.signalRoot(c.vcpu(), p.remotePort, c::note);
        if (st != HvStatus.SUCCESS) {
            return StatusMap.toXen(st);
        }
        for (int dom0Port : s.hv.takeRootSignals()) {
            if (s.toolstack == null) {
                c.note("root: no dom0 service behind port " + dom0Port);
                continue;
            }
            Toolstack.Kicked k = s.toolstack.kick(dom0Port, memory, d -> notifyGuest(c, d));
            c.out().console(k.console());
        }
        return 0;
    }

    /**
     * A daemon notified its end, dom0's {@code dom0Port}: the guest's port bound to it is signalled
     * by the root; a port the guest closed drops the event, as dom0's evtchn_send() on an unbound
     * port does.
     */
    private void notifyGuest(Call c, int dom0Port) {
        for (int port = 1; s.ports.valid(port); port++) {
            AdapterPortTable.Port p = s.ports.get(port);
            if (p.state == AdapterPortTable.State.INTERDOMAIN && p.remoteDom == AdapterState.DOM0
                    && p.remotePort == dom0Port) {
                int vcpu = p.notifyVcpu;
                s.hv.signalFromRoot(vcpu, port, c::note, q -> s.events.setPending(vcpu, q, c.out()));
                return;
            }
        }
        c.note("root: dom0 port " + dom0Port + " notified, but the guest's end is closed: dropped");
    }
}
