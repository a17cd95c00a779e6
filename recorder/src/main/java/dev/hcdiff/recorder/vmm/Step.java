package dev.hcdiff.recorder.vmm;

/** What one exit handler did (style.md §1.3). */
public enum Step {
    /** The exit was served; re-enter the guest. */
    HANDLED,
    /** KVM_RUN was interrupted without a reason to stop (a stray signal); re-enter. */
    INTERRUPTED,
    /** The guest stopped; the {@link VcpuStop} says why. */
    STOPPED
}
