package dev.hcdiff.replayer;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;

import java.util.SortedMap;
import java.util.TreeMap;

/** A backend for replayer tests: a name and an answer computed from the request, nothing modelled. */
public final class ScriptedBackend implements Backend {

    /** How the backend answers; it may read guest memory. */
    @FunctionalInterface
    public interface Answer {
        Observation serve(GuestRequest request, GuestMemory memory) throws GuestFault;
    }

    private final String name;
    private final Answer answer;

    private ScriptedBackend(String name, Answer answer) {
        this.name = name;
        this.answer = answer;
    }

    /** A guest fault while answering becomes -EFAULT (-14), as a Xen copy_from_guest failure would. */
    public static Backend answering(String name, Answer answer) {
        return new ScriptedBackend(name, answer);
    }

    /** xen_version (17) answers {@code rax}, anything else 0 (xen/include/public/xen.h __HYPERVISOR_xen_version). */
    public static Backend xenVersionAnswering(String name, long rax) {
        return answering(name, (r, m) -> Observation.builder().returns(((Hypercall) r).call() == 17 ? rax : 0).build());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SortedMap<String, String> configuration() {
        return new TreeMap<>();
    }

    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        try {
            return answer.serve(request, memory);
        } catch (GuestFault e) {
            return Observation.builder().returns(-14).build();
        }
    }
}
