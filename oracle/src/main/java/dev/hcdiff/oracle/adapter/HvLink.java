package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.hyperv.HvMsr;
import dev.hcdiff.oracle.hyperv.HvPartition;
import dev.hcdiff.oracle.hyperv.HvPort;
import dev.hcdiff.oracle.hyperv.HvPorts;
import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.hyperv.HypercallInput;
import dev.hcdiff.oracle.hyperv.SynIc;
import dev.hcdiff.trace.abi.HvCallCode;
import dev.hcdiff.trace.record.Interrupt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The adapter's side of the Hyper-V partition: the SynIC set-up a guest-side shim performs once,
 * the loopback connections the root preconfigured for it, and the Hyper-V calls it issues. Every
 * call is a fast call (TLFS "Hypercall Inputs": input in RDX), so the adapter needs no guest page
 * for hypercall input; each call and its result goes into the trail.
 *
 * <p>Connections: Xen port {@code p} notifying vCPU {@code v} travels as SignalEvent on
 * connection {@code 0x10000 * (b + 1) + v + 1} with flag {@code p - 2048 b}, {@code b = p / 2048},
 * to an event port on VP {@code v}, SINT {@code 2 + b}: a SINT holds 2048 flags (TLFS
 * hv_synic_event_flags) and 2-level Xen has up to 4096 ports (xen-abi.md §5.3), so two SINTs cover
 * them. Example: port 3 of vCPU 0 is {@code HvCallSignalEvent(conn=0x10001, flag=3)}.
 */
final class HvLink {

    /** First SINT of the adapter's event ports (SINT 0–1 are left to timers and VMBus conventions). */
    static final int FIRST_SINT = 2;
    /** Event flags per SINT (TLFS hv_synic_event_flags: 256 bytes). */
    static final int FLAGS_PER_SINT = HvPort.FLAGS_PER_SINT;
    /** Connection-id stride between port blocks. */
    static final int CONNECTION_STRIDE = 0x10000;
    /** 2-level Xen's largest port count: 64 words of 64 bits (xen-abi.md §5.3). */
    static final int MAX_2L_PORTS = 64 * 64;
    /**
     * The shim's GUEST_OS_ID (TLFS "Guest OS Identity MSR for Open Source Operating Systems"): bit 63
     * open source, OS type 3 Xen in bits 62:56, version 4.17.7 in bits 47:16 as 0x00041107.
     */
    static final long SHIM_OS_ID = 1L << 63 | 3L << 56 | 0x00041107L << 16;
    /**
     * SINT value while the guest has no upcall vector: Polling (bit 18) so no interrupt is raised,
     * unmasked, and vector 0x10, the lowest a SINT accepts (TLFS: vectors below 16 #GP).
     */
    static final long POLLED_SINT = SynIc.SINT_POLLING | SynIc.FIRST_VALID_VECTOR;

    private final HvPartition partition;
    private final FlatRam pages;
    private final int vcpus;

    /**
     * Performs the shim's set-up on the partition: GUEST_OS_ID, then per VP SCONTROL, SIEFP and the
     * SINTs of its port blocks. A set-up write that faults (a partition without the privilege)
     * leaves that part disabled, and the calls that need it fail with the partition's status.
     */
    HvLink(HvPartition partition, int vcpus) {
        this.partition = partition;
        this.vcpus = vcpus;
        this.pages = AdapterPages.create(vcpus);
        partition.wrmsr(0, HvMsr.GUEST_OS_ID, SHIM_OS_ID, pages);
        for (int v = 0; v < vcpus; v++) {
            partition.wrmsr(v, HvMsr.SCONTROL, SynIc.SCONTROL_ENABLE, pages);
            partition.wrmsr(v, HvMsr.SIEFP, AdapterPages.siefGpa(v) | SynIc.PAGE_ENABLE, pages);
            for (int b = 0; b < MAX_2L_PORTS / FLAGS_PER_SINT; b++) {
                partition.wrmsr(v, HvMsr.SINT0 + FIRST_SINT + b, POLLED_SINT, pages);
            }
        }
    }

    HvPartition partition() {
        return partition;
    }

    /** The connection that carries port {@code port} to vCPU {@code vcpu}. */
    static int connectionId(int vcpu, int port) {
        return CONNECTION_STRIDE * (port / FLAGS_PER_SINT + 1) + vcpu + 1;
    }

    /** The loopback event ports the adapter needs for {@code ports} Xen ports on {@code vcpus} vCPUs. */
    static List<HvPort> requiredPorts(int vcpus, long ports) {
        long n = Math.min(ports, MAX_2L_PORTS);
        List<HvPort> out = new ArrayList<>();
        for (int b = 0; (long) b * FLAGS_PER_SINT < n; b++) {
            int count = (int) Math.min(FLAGS_PER_SINT, n - (long) b * FLAGS_PER_SINT);
            for (int v = 0; v < vcpus; v++) {
                out.add(HvPort.event(connectionId(v, b * FLAGS_PER_SINT), v, FIRST_SINT + b, 0, count));
            }
        }
        return out;
    }

    /**
     * Adds the adapter's connections to a root configuration; one already there must be identical.
     *
     * @throws IllegalArgumentException when a connection id the adapter needs is configured otherwise
     */
    static HvPorts withRequiredPorts(HvPorts given, int vcpus, long ports) {
        HvPorts out = given;
        for (HvPort p : requiredPorts(vcpus, ports)) {
            HvPort have = given.lookup(p.connectionId()).orElse(null);
            if (have == null) {
                out = out.with(p);
            } else if (!have.equals(p)) {
                throw new IllegalArgumentException(String.format(
                        "hyperv.ports: connection 0x%x is the adapter's (%s) but is configured as %s",
                        p.connectionId(), HvPorts.NONE.with(p).print(), HvPorts.NONE.with(have).print()));
            }
        }
        return out;
    }

    /**
     * Signals Xen port {@code port} to vCPU {@code vcpu}: HvCallSignalEvent (fast) on the port's
     * connection, then, as the receiving end, takes the flags that arrived in the SIEF page and
     * hands each one to {@code deliver} as a Xen port.
     *
     * @return the HV_STATUS of the call
     */
    int signal(int vcpu, int port, Consumer<String> trail, IntConsumer deliver) {
        int conn = connectionId(vcpu, port);
        int flag = port % FLAGS_PER_SINT;
        List<Interrupt> sints = new ArrayList<>();
        long input = HypercallInput.simple(HvCallCode.SIGNAL_EVENT.code(), true);
        long rdx = Integer.toUnsignedLong(conn) | (long) flag << 32;
        long result = partition.hypercall(vcpu, input, rdx, 0, pages, sints::add);
        trail.accept(String.format("%s(conn=0x%x, flag=%d) -> 0x%x", HvCallCode.SIGNAL_EVENT.tlfsName(), conn, flag, result));
        for (Interrupt i : sints) {
            trail.accept(String.format("SINT%s on vp%d, vector 0x%x", i.source().substring(4), i.vcpu(), i.vector()));
        }
        int status = HvStatus.statusOf(result);
        if (status == HvStatus.SUCCESS) {
            takeFlags(vcpu, FIRST_SINT + port / FLAGS_PER_SINT, (port / FLAGS_PER_SINT) * FLAGS_PER_SINT, deliver);
        }
        return status;
    }

    /** HvCallNotifyLongSpinWait (fast, SpinCount 0): "advisory; always SUCCESS" in the TLFS. */
    int notifyLongSpinWait(int vcpu, Consumer<String> trail) {
        long input = HypercallInput.simple(HvCallCode.NOTIFY_LONG_SPIN_WAIT.code(), true);
        long result = partition.hypercall(vcpu, input, 0, 0, pages, i -> { });
        trail.accept(String.format("%s(fast) -> 0x%x", HvCallCode.NOTIFY_LONG_SPIN_WAIT.tlfsName(), result));
        return HvStatus.statusOf(result);
    }

    /**
     * The receiving end's half: every set flag of the SINT's 256-byte block is cleared (as a guest
     * clears SIEF flags with a locked AND) and delivered as Xen port {@code portBase + flag}.
     */
    private void takeFlags(int vcpu, int sint, int portBase, IntConsumer deliver) {
        long base = (partition.synic(vcpu).siefp() & SynIc.PAGE_GPFN_MASK) + (long) sint * SynIc.EVENT_FLAGS_BYTES;
        try {
            byte[] block = pages.readPhysical(base, SynIc.EVENT_FLAGS_BYTES);
            for (int i = 0; i < block.length; i++) {
                if (block[i] == 0) {
                    continue;
                }
                int bits = block[i] & 0xff;
                pages.writePhysical(base + i, new byte[] {0});
                for (int bit = 0; bit < 8; bit++) {
                    if ((bits & (1 << bit)) != 0) {
                        deliver.accept(portBase + i * 8 + bit);
                    }
                }
            }
        } catch (GuestFault f) {
            // SIEFP no longer points into the adapter's pages (the guest rewrote it): nothing arrives.
        }
    }

    int vcpus() {
        return vcpus;
    }
}
