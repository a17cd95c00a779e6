package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Observation;

/**
 * The request being served ({@code current} in Xen): the calling vCPU, the virtual time, guest
 * memory and the observation being collected.
 *
 * @param vcpu   {@code current->vcpu_id}
 * @param nowNs  {@code NOW()}: ns of virtual time since the domain was created
 * @param memory guest memory for this request
 * @param out    what the guest observes
 */
record Call(int vcpu, long nowNs, GuestMemory memory, Observation.Builder out) {
}
