package dev.hcdiff.trace.record;

import java.util.List;

/**
 * What the vCPU does after the call, as the guest experiences it.
 *
 * @param run        whether the vCPU resumes, blocks or is down
 * @param deadlineNs for {@link Run#BLOCKED}: absolute virtual time at which it wakes anyway, or -1
 * @param ports      for {@link Run#BLOCKED} by a poll: the event ports it waits on (empty = any event)
 */
public record VcpuState(Run run, long deadlineNs, List<Integer> ports) {

    /** The vCPU's run state after a call. */
    public enum Run { RUNNING, BLOCKED, DOWN }

    /** The common case: the guest resumes right after the call. */
    public static final VcpuState RUNNING = new VcpuState(Run.RUNNING, -1, List.of());

    public VcpuState {
        ports = List.copyOf(ports);
    }
}
