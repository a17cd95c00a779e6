package dev.hcdiff.trace.record;

/**
 * One thing a guest asked of its hypervisor: the input half of every exchange. A {@code Backend}
 * serves a request and answers with an {@link Observation}; the recorder builds requests from
 * VM exits, the replayer and the fuzzer from journal records.
 */
public sealed interface GuestRequest
        permits Hypercall, CpuidQuery, MsrRead, MsrWrite, PortRead, PortWrite, MmioRead, MmioWrite, GuestWrite {

    /** The vCPU that made the request. */
    int vcpu();
}
