package dev.hcdiff.recorder;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.xen.XenConfig;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The configuration a live recording gives its backend, whatever its name: what this host decides
 * for both personalities ({@link HostFacts}: the CPU vendor, whose instruction the hypercall page
 * holds, the guest TSC frequency, and the recorder's one vCPU) under {@code xen.*} and
 * {@code hyperv.*}, and, for a backend that serves Hyper-V guests, the port a TLFS guest cannot
 * create itself: connection {@link #HV_GUEST_CONNECTION} to an event port on VP 0, SINT 2, as a
 * root's VMBus host would preconfigure one ("Inter-Partition Communication": ports and connections
 * are the parent's). {@code Backends.create} hands each personality the prefixes it reads.
 */
public final class LiveConfig {

    private LiveConfig() {
    }

    /** The connection id hv-hello signals (recorder/guests/hv-hello.c HELLO_CONNECTION). */
    public static final int HV_GUEST_CONNECTION = 0x1;
    /**
     * The port behind it, in {@code hyperv.ports} form: an event port on VP 0, SINT 2, base flag 0,
     * 16 flags (HvPorts grammar).
     */
    public static final String HV_GUEST_PORTS = "0x1=event:vp0:sint2:flag0:count16";

    /**
     * The configuration for a live run of backend {@code name}.
     *
     * @throws dev.hcdiff.recorder.kvm.KvmUnavailable when /dev/kvm cannot be used (the TSC frequency comes from KVM)
     */
    public static SortedMap<String, String> of(String name) {
        TreeMap<String, String> m = new TreeMap<>(HostFacts.xenHostConfig());
        String vendor = m.get(XenConfig.VENDOR);
        if (vendor != null) {
            m.put(HvConfig.VENDOR, vendor);
        }
        m.put(HvConfig.TSC_KHZ, m.get(XenConfig.TSC_KHZ));
        m.put(XenConfig.VCPUS, Integer.toString(Recorder.VCPUS));
        m.put(HvConfig.VCPUS, Integer.toString(Recorder.VCPUS));
        if (servesHyperVGuests(name)) {
            m.put(HvConfig.PORTS, HV_GUEST_PORTS);
        }
        return m;
    }

    /**
     * True for a personality a Hyper-V guest meets as its hypervisor: {@code hyperv}, and any
     * {@code hyperv-on-*} adapter; Xen guests' personalities ({@code xen}, {@code xen-on-hyperv})
     * get no extra port (the adapter places its own).
     */
    public static boolean servesHyperVGuests(String name) {
        return name.equals(Backends.HYPERV) || name.startsWith(Backends.HYPERV + "-on-");
    }
}
