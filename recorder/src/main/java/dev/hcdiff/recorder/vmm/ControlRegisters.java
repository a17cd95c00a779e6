package dev.hcdiff.recorder.vmm;

/**
 * The vCPU state that decides how a linear address becomes guest-physical: CR0, CR3, CR4 and
 * EFER as the vCPU has them now. The live implementation reads kvm_run's sync sregs at the
 * moment of the call (no copy per exit); tests use {@link Fixed}.
 */
public interface ControlRegisters {

    long cr0();

    long cr3();

    long cr4();

    long efer();

    /** A snapshot, e.g. for tests. */
    record Fixed(long cr0, long cr3, long cr4, long efer) implements ControlRegisters {
    }
}
