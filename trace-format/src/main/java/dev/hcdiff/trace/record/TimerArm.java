package dev.hcdiff.trace.record;

/**
 * A timer the call armed or cancelled, in the guest's own terms converted to nanoseconds.
 *
 * @param vcpu       the vCPU the timer belongs to
 * @param timer      which timer: {@code "singleshot"}, {@code "periodic"}, {@code "stimer0"}…
 * @param deadlineNs absolute deadline in ns of virtual time; -1 when the call cancelled it
 * @param periodNs   period in ns for periodic timers, 0 otherwise
 */
public record TimerArm(int vcpu, String timer, long deadlineNs, long periodNs) {
}
