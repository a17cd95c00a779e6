package dev.hcdiff.trace.record;

import java.util.List;

/**
 * A request the guest made and what it observed: a hypercall, a CPUID answer, an MSR or port
 * access, or a guest write to a hypervisor-owned page.
 *
 * @param seq         journal position
 * @param timeNs      virtual time of the exit, ns since VM creation
 * @param durationNs  host time from the exit until the guest resumed, ns (0 when not measured)
 * @param request     what the guest asked
 * @param reads       every guest byte the serving hypervisor read, in order (guest-physical)
 * @param observation what the guest observed; its {@code writes} are every byte written
 */
public record Exchange(long seq, long timeNs, long durationNs, GuestRequest request,
                       List<MemChunk> reads, Observation observation) implements TraceRecord {

    public Exchange {
        reads = List.copyOf(reads);
    }
}
