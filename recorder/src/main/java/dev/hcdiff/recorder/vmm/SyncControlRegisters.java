package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.recorder.kvm.KvmSregs;

import java.lang.foreign.MemorySegment;

/**
 * The vCPU's paging registers read from kvm_run's sync sregs, which KVM refreshes at every exit
 * when {@code KVM_SYNC_X86_SREGS} is valid: no ioctl, no copy.
 */
public final class SyncControlRegisters implements ControlRegisters {

    private final MemorySegment sregs;

    public SyncControlRegisters(MemorySegment kvmRun) {
        this.sregs = kvmRun.asSlice(KvmRun.SYNC_SREGS, KvmSregs.SIZE);
    }

    @Override
    public long cr0() {
        return KvmSregs.cr0(sregs);
    }

    @Override
    public long cr3() {
        return KvmSregs.cr3(sregs);
    }

    @Override
    public long cr4() {
        return KvmSregs.cr4(sregs);
    }

    @Override
    public long efer() {
        return KvmSregs.efer(sregs);
    }
}
