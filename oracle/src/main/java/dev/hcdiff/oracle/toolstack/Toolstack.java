package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

import java.io.ByteArrayOutputStream;
import java.util.function.IntConsumer;

/**
 * dom0 as an xl HVM or PVH guest depends on it: the build ({@link XlHvmBuild}), xenstored on the store
 * ring and xenconsoled on the console ring, each behind its end of an interdomain event channel.
 * A personality that presents Xen calls {@link #kick} when the guest's send reaches one of these
 * dom0 ports; the daemon runs at once and, through {@code notifyGuest}, makes the guest's port
 * pending as dom0's {@code xenevtchn_notify()} would.
 *
 * <p>dom0's own port numbers are dom0's history, which the model does not have: it uses
 * {@link #DOM0_STORE_PORT} and {@link #DOM0_CONSOLE_PORT}, visible to the guest only through
 * EVTCHNOP_status.
 */
public final class Toolstack {

    /** The port xenstored's end of the store channel has in dom0 (the model's choice). */
    public static final int DOM0_STORE_PORT = 0x10;
    /** The port xenconsoled's end of the console channel has in dom0 (the model's choice). */
    public static final int DOM0_CONSOLE_PORT = 0x11;

    private final XlHvmBuild build;
    private final Xenstored xenstored;
    private final Xenconsoled xenconsoled;

    public Toolstack(XlHvmBuild build) {
        this.build = build;
        this.xenstored = new Xenstored(build);
        this.xenconsoled = new Xenconsoled(build);
    }

    public XlHvmBuild build() {
        return build;
    }

    public Xenstored xenstored() {
        return xenstored;
    }

    /**
     * What the daemons did to the domain's pages when libxl introduced it, before it first ran:
     * oxenstored's {@code server_features} ({@link Xenstored#introduce}). Call once, before the
     * guest's first request is served.
     *
     * @throws IllegalStateException when the store ring page is not guest RAM
     */
    public void introduce(GuestMemory memory) {
        try {
            xenstored.introduce(memory);
        } catch (GuestFault f) {
            throw new IllegalStateException("the xenstore ring page is not guest RAM: " + f.getMessage(), f);
        }
    }

    /** What a kick produced for the guest to observe: console bytes. */
    public record Kicked(byte[] console) {
    }

    /**
     * dom0's port {@code dom0Port} became pending because the guest sent on its end: the daemon
     * behind it serves its ring. A port no daemon listens on is ignored.
     *
     * @param notifyGuest called with the dom0 port when the daemon notifies the guest back
     * @throws IllegalStateException when a ring page is not guest RAM (the recorder's contract
     *                               backs the special pages)
     */
    public Kicked kick(int dom0Port, GuestMemory memory, IntConsumer notifyGuest) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            if (dom0Port == DOM0_STORE_PORT) {
                if (xenstored.service(memory)) {
                    notifyGuest.accept(dom0Port);
                }
            } else if (dom0Port == DOM0_CONSOLE_PORT) {
                Xenconsoled.Drained d = xenconsoled.bufferAppend(memory);
                console.writeBytes(d.bytes());
                if (d.notified()) {
                    notifyGuest.accept(dom0Port);
                }
            }
        } catch (GuestFault f) {
            throw new IllegalStateException("a dom0 ring page is not guest RAM: " + f.getMessage(), f);
        }
        return new Kicked(console.toByteArray());
    }
}
