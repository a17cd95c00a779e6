package dev.hcdiff.trace.record;

/**
 * An interrupt the recorder injected into a vCPU because a backend asked for it (an event-channel
 * upcall, a SINT, a timer expiry).
 *
 * @param vcpu   target vCPU
 * @param vector vector injected
 * @param source what asked for it, as in {@link Interrupt#source()}
 */
public record Delivery(long seq, long timeNs, int vcpu, int vector, String source) implements TraceRecord {
}
