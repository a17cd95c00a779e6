package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Interrupt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Input-value validation (TLFS "Hypercall Inputs", "Common Hypercall Status Codes"; hyperv-abi.md
 * §2.2, §2.7), NotifyLongSpinWait, PostDebugData and unknown codes, per personality.
 */
class HypercallDispatchTest {

    static final long NOTIFY_LONG_SPIN_WAIT = 0x0008, SIGNAL_EVENT = 0x005D, POST_DEBUG_DATA = 0x0069;
    static final long FAST = 1L << 16;
    static final long SUCCESS = 0, INVALID_HYPERCALL_CODE = 2, INVALID_HYPERCALL_INPUT = 3, INVALID_PARAMETER = 5,
            ACCESS_DENIED = 6;

    final FlatRam mem = new FlatRam(0x10000);
    final List<Interrupt> irqs = new ArrayList<>();

    static HvPartition hv(HvPersonality who) {
        return new HvPartition(HvConfig.defaults().withPersonality(who));
    }

    long call(HvPartition hv, long input) {
        return hv.hypercall(0, input, 0x1000, 0x2000, mem, irqs::add);
    }

    /** Each RsvdZ bit of the input value: 31:27, 47:44, 63:60 (TLFS "Hypercall Inputs"). */
    @ParameterizedTest
    @ValueSource(ints = {27, 28, 29, 30, 31, 44, 45, 46, 47, 60, 61, 62, 63})
    void eachReservedInputBitIsInvalidHypercallInput(int bit) {
        long input = NOTIFY_LONG_SPIN_WAIT | (1L << bit);
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.TLFS), input));
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.KVM), input));
        // Xen's union hypercall_input ignores reserved bits (hyperv-abi.md §2.2).
        assertEquals(SUCCESS, call(hv(HvPersonality.XEN_VIRIDIAN), input));
    }

    @Test
    void repCountOnASimpleCallIsInvalidInput() {
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.TLFS), NOTIFY_LONG_SPIN_WAIT | (1L << 32)));
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.KVM), NOTIFY_LONG_SPIN_WAIT | (0xfffL << 32)));
    }

    @Test
    void repStartIndexOnASimpleCallIsInvalidInput() {
        // "Rep Start Index 59-48: for rep call, must be zero otherwise".
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.TLFS), NOTIFY_LONG_SPIN_WAIT | (1L << 48)));
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.KVM), NOTIFY_LONG_SPIN_WAIT | (1L << 48)));
    }

    @Test
    void variableHeaderOnACallWithoutOneIsInvalidInput() {
        // "It is illegal to specify a non-zero variable header size for a hypercall that is not explicitly documented..."
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.TLFS), NOTIFY_LONG_SPIN_WAIT | (1L << 17)));
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.TLFS), SIGNAL_EVENT | FAST | (0x3ffL << 17)));
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.KVM), SIGNAL_EVENT | FAST | (1L << 17)));
    }

    @Test
    void fastBitAloneIsValidOnNotifyLongSpinWait() {
        assertEquals(SUCCESS, call(hv(HvPersonality.TLFS), NOTIFY_LONG_SPIN_WAIT | FAST));
        assertEquals(SUCCESS, call(hv(HvPersonality.KVM), NOTIFY_LONG_SPIN_WAIT | FAST));
    }

    @Test
    void unknownCodeIsInvalidHypercallCode() {
        assertEquals(INVALID_HYPERCALL_CODE, call(hv(HvPersonality.TLFS), 0x1234));
        assertEquals(INVALID_HYPERCALL_CODE, call(hv(HvPersonality.KVM), 0x1234));
        assertEquals(INVALID_HYPERCALL_CODE, call(hv(HvPersonality.XEN_VIRIDIAN), 0x1234));
    }

    @Test
    void kvmChecksReservedBitsBeforeTheCodeSoAnUnknownCodeWithOneGivesInvalidInput() {
        long input = 0x1234 | (1L << 60);
        // hyperv-abi.md §9 pitfall 2: KVM → 3; the TLFS/OpenVMM order looks the code up first → 2.
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv(HvPersonality.KVM), input));
        assertEquals(INVALID_HYPERCALL_CODE, call(hv(HvPersonality.TLFS), input));
    }

    @Test
    void kvmChecksPrivilegeBeforeReservedBits() {
        HvPartition kvm = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.KVM)
                .withPrivileges(HvPrivilege.DEFAULT_GUEST & ~(1L << 37)));
        assertEquals(ACCESS_DENIED, call(kvm, SIGNAL_EVENT | FAST | (1L << 60)));
    }

    @Test
    void notifyLongSpinWaitReturnsSuccessWithZeroRepsWhateverItsParameters() {
        HvPartition hv = hv(HvPersonality.TLFS);
        for (long rdx : new long[] {0, 1, 0xffffffffL, -1L, 0x8000000000000001L}) {
            assertEquals(SUCCESS, hv.hypercall(0, NOTIFY_LONG_SPIN_WAIT, rdx, rdx, mem, irqs::add));
            assertEquals(SUCCESS, hv.hypercall(0, NOTIFY_LONG_SPIN_WAIT | FAST, rdx, ~rdx, mem, irqs::add));
        }
    }

    @Test
    void kvmDeniesNotifyLongSpinWaitWhenTheGuestIsToldNeverToNotify() {
        // hv_check_hypercall_access(): enlightenments_ebx must be neither 0 nor U32_MAX.
        for (int never : new int[] {0, -1}) {
            HvPartition kvm = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.KVM).withSpinRetries(never));
            assertEquals(ACCESS_DENIED, call(kvm, NOTIFY_LONG_SPIN_WAIT));
            HvPartition tlfs = new HvPartition(HvConfig.defaults().withSpinRetries(never));
            assertEquals(SUCCESS, call(tlfs, NOTIFY_LONG_SPIN_WAIT));
        }
    }

    @Test
    void postDebugDataWithoutDebuggingPrivilegeIsAccessDenied() {
        // EBX bit 11 Debugging is not in a normal guest's mask.
        assertEquals(ACCESS_DENIED, call(hv(HvPersonality.TLFS), POST_DEBUG_DATA));
    }

    @Test
    void postDebugDataWithPrivilegeButNoDebuggerAnswersAsKvmAndQemu() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPrivileges(HvPrivilege.DEFAULT_GUEST | (1L << 43)));
        // QEMU hyperv_hcall_post_dbg_data() without a SynDBG handler → 2; KVM: fast → 5.
        assertEquals(INVALID_HYPERCALL_CODE, call(hv, POST_DEBUG_DATA));
        assertEquals(INVALID_PARAMETER, call(hv, POST_DEBUG_DATA | FAST));
        assertEquals(INVALID_HYPERCALL_INPUT, call(hv, POST_DEBUG_DATA | (1L << 32)));
    }

    @Test
    void kvmSkipsTheDebugPrivilegeWhenSyndbgIsOff() {
        // hv_check_hypercall_access(): "Return 'true' when SynDBG is disabled so the resulting code
        // will be HV_STATUS_INVALID_HYPERCALL_CODE"; the fast check comes first in the switch.
        assertEquals(INVALID_HYPERCALL_CODE, call(hv(HvPersonality.KVM), POST_DEBUG_DATA));
        assertEquals(INVALID_PARAMETER, call(hv(HvPersonality.KVM), POST_DEBUG_DATA | FAST));
        assertEquals(INVALID_HYPERCALL_CODE, call(hv(HvPersonality.XEN_VIRIDIAN), POST_DEBUG_DATA | FAST));
    }

    @Test
    void resultCarriesTheStatusInBits15To0AndNoRepsForSimpleCalls() {
        long r = call(hv(HvPersonality.TLFS), NOTIFY_LONG_SPIN_WAIT | (1L << 32));
        assertEquals(3, r & 0xffff);
        assertEquals(0, (r >>> 32) & 0xfff);
        assertEquals(r, r & 0xffff);
    }
}
