package dev.hcdiff.recorder.kvm;

import dev.hcdiff.recorder.LiveKvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KVM behaviours the recorder relies on, checked on the real /dev/kvm. */
class KvmLiveTest {

    @BeforeEach
    void needsKvm() {
        LiveKvm.assumeKvm();
    }

    @Test
    void thisHostHasEveryCapabilityTheRecorderNeeds() {
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED)) {
            // kvm.md: KVM_CAP_SYNC_REGS reports 7 (regs, sregs, events) on these hosts.
            assertEquals(7, kvm.checkExtension(KvmCap.SYNC_REGS) & 7);
        }
    }

    @Test
    void immediateExitMakesKvmRunReturnEintrWithoutEnteringTheGuest() {
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED);
             VmFd vm = kvm.createVm();
             VcpuFd vcpu = vm.createVcpu(0)) {
            KvmRun.immediateExit(vcpu.kvmRun(), true);
            // api.rst, immediate_exit: "KVM_RUN ... returns with -EINTR" (EINTR 4).
            assertEquals(Errno.EINTR, vcpu.run());
            assertEquals(Errno.EINTR, vcpu.run(), "the flag stays until user space clears it");
        }
    }

    @Test
    void refusedIoctlIsReportedWithItsNameAndErrno() {
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED);
             VmFd vm = kvm.createVm()) {
            // api.rst, KVM_SET_USER_MEMORY_REGION: sizes must be page-aligned, else EINVAL.
            KvmException e = assertThrows(KvmException.class, () -> vm.setUserMemoryRegion(0, 0, 100, 0x10000));
            assertEquals("KVM_SET_USER_MEMORY_REGION failed: EINVAL (22)", e.getMessage());
            assertEquals(KvmOp.SET_USER_MEMORY_REGION, e.op());
        }
    }

    @Test
    void supportedCpuidHoldsKvmsOwnHypervisorLeafThatTheRecorderReplaces() {
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED)) {
            var table = kvm.supportedCpuid();
            assertFalse(table.isEmpty());
            // kvm.md: KVM's own 0x40000000 leaf ("KVMKVMKVM") is in the supported table.
            assertTrue(table.stream().anyMatch(e -> e.function() == 0x40000000 && e.ebx() == 0x4b4d564b),
                    "KVMKVMKVM signature at 0x40000000");
        }
    }
}
