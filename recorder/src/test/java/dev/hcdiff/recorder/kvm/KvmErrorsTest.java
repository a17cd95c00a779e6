package dev.hcdiff.recorder.kvm;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The messages a user reads when KVM refuses something or the host cannot run the recorder. */
class KvmErrorsTest {

    @Test
    void kvmExceptionNamesTheIoctlAndTheErrno() {
        // Linux <asm-generic/errno-base.h>: EINVAL 22.
        assertEquals("KVM_SET_SREGS failed: EINVAL (22)", new KvmException(KvmOp.SET_SREGS, 22).getMessage());
        // <asm-generic/errno.h>: EOPNOTSUPP 95.
        assertEquals("KVM_RUN failed: EOPNOTSUPP (95)", new KvmException(KvmOp.RUN, 95).getMessage());
    }

    @Test
    void unknownErrnoIsShownAsANumber() {
        assertEquals("errno 250", Errno.describe(250));
        assertEquals("EINTR (4)", Errno.describe(4));
        assertEquals("EACCES (13)", Errno.describe(13));
    }

    @Test
    void missingCapabilityIsNamedWithItsNumberAndPurpose() {
        KvmUnavailable e = assertThrows(KvmUnavailable.class, () -> Kvm.checkCapabilities(
                KvmCap.RECORDER_REQUIRED, cap -> cap == KvmCap.X86_USER_SPACE_MSR ? 0 : 1 | 2 | 4));
        assertTrue(e.getMessage().startsWith("KVM capability KVM_CAP_X86_USER_SPACE_MSR (188) is missing"),
                e.getMessage());
        assertTrue(e.getMessage().contains("MSR exits to user space"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void syncRegsWithoutSregsIsIncomplete() {
        // KVM_CAP_SYNC_REGS reports a mask; REGS alone (1) lacks KVM_SYNC_X86_SREGS (2).
        KvmUnavailable e = assertThrows(KvmUnavailable.class, () -> Kvm.checkCapabilities(
                EnumSet.of(KvmCap.SYNC_REGS), cap -> 1));
        assertTrue(e.getMessage().contains("KVM_CAP_SYNC_REGS (74) is missing or incomplete (reported 0x1, need bits 0x3)"),
                e.getMessage());
    }

    @Test
    void onlyRequiredCapabilitiesAreChecked() {
        assertDoesNotThrow(() -> Kvm.checkCapabilities(EnumSet.of(KvmCap.IMMEDIATE_EXIT),
                cap -> cap == KvmCap.IMMEDIATE_EXIT ? 1 : 0));
    }

    @Test
    void missingDeviceSaysWhatToDo() {
        String missing = Path.of("/nonexistent-hcdiff", "kvm").toString();
        KvmUnavailable e = assertThrows(KvmUnavailable.class, () -> Kvm.open(missing, Set.of()));
        assertEquals(missing + " does not exist: this host has no KVM; run on a Linux host with virtualization "
                + "enabled and the kvm module loaded", e.getMessage());
    }

    @Test
    void aDeviceThatIsNotKvmIsRejectedWithTheIoctlErrno() {
        // /dev/null opens but answers any ioctl with ENOTTY (25, <asm-generic/errno-base.h>).
        KvmUnavailable e = assertThrows(KvmUnavailable.class, () -> Kvm.open("/dev/null", Set.of()));
        assertEquals("KVM_GET_API_VERSION on /dev/null failed: ENOTTY (25): it is not a KVM device", e.getMessage());
    }
}
