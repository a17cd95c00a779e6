package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.VcpuState;

/**
 * The one-byte codes of enum fields in layout v1 ({@link RecordCodec}). Explicit, never
 * {@code ordinal()}: reordering or adding enum constants must not change what old journals mean.
 * The switches are exhaustive, so a new constant fails to compile here until it gets a code.
 */
final class Codes {

    private Codes() {
    }


    static int abi(Abi abi) {
        return switch (abi) {
            case XEN64 -> 1;
            case XEN32 -> 2;
            case HV64 -> 3;
        };
    }

    static Abi abi(BytesIn in) {
        int at = in.position();
        int code = in.u8("abi");
        return switch (code) {
            case 1 -> Abi.XEN64;
            case 2 -> Abi.XEN32;
            case 3 -> Abi.HV64;
            default -> throw BytesIn.errorAt(at, "unknown abi code " + code);
        };
    }

    static int cpuMode(CpuMode mode) {
        return switch (mode) {
            case REAL -> 1;
            case VM86 -> 2;
            case PROTECTED16 -> 3;
            case PROTECTED32 -> 4;
            case LONG64 -> 5;
        };
    }

    static CpuMode cpuMode(BytesIn in) {
        int at = in.position();
        int code = in.u8("cpu mode");
        return switch (code) {
            case 1 -> CpuMode.REAL;
            case 2 -> CpuMode.VM86;
            case 3 -> CpuMode.PROTECTED16;
            case 4 -> CpuMode.PROTECTED32;
            case 5 -> CpuMode.LONG64;
            default -> throw BytesIn.errorAt(at, "unknown cpu mode code " + code);
        };
    }

    static int fault(Fault fault) {
        return switch (fault) {
            case NONE -> 0;
            case GP -> 1;
            case UD -> 2;
        };
    }

    static Fault fault(BytesIn in) {
        int at = in.position();
        int code = in.u8("fault");
        return switch (code) {
            case 0 -> Fault.NONE;
            case 1 -> Fault.GP;
            case 2 -> Fault.UD;
            default -> throw BytesIn.errorAt(at, "unknown fault code " + code);
        };
    }

    static int run(VcpuState.Run run) {
        return switch (run) {
            case RUNNING -> 0;
            case BLOCKED -> 1;
            case DOWN -> 2;
        };
    }

    static VcpuState.Run run(BytesIn in) {
        int at = in.position();
        int code = in.u8("vcpu run state");
        return switch (code) {
            case 0 -> VcpuState.Run.RUNNING;
            case 1 -> VcpuState.Run.BLOCKED;
            case 2 -> VcpuState.Run.DOWN;
            default -> throw BytesIn.errorAt(at, "unknown vcpu run state code " + code);
        };
    }

    static int stop(GuestStop.StopReason reason) {
        return switch (reason) {
            case SHUTDOWN -> 1;
            case TRIPLE_FAULT -> 2;
            case VMCALL -> 3;
            case HALTED -> 4;
            case WATCHDOG -> 5;
            case BUDGET -> 6;
            case BAD_ACCESS -> 7;
            case KVM_ERROR -> 8;
            case UNHANDLED_EXIT -> 9;
        };
    }

    static GuestStop.StopReason stopReason(BytesIn in) {
        int at = in.position();
        int code = in.u8("stop reason");
        return switch (code) {
            case 1 -> GuestStop.StopReason.SHUTDOWN;
            case 2 -> GuestStop.StopReason.TRIPLE_FAULT;
            case 3 -> GuestStop.StopReason.VMCALL;
            case 4 -> GuestStop.StopReason.HALTED;
            case 5 -> GuestStop.StopReason.WATCHDOG;
            case 6 -> GuestStop.StopReason.BUDGET;
            case 7 -> GuestStop.StopReason.BAD_ACCESS;
            case 8 -> GuestStop.StopReason.KVM_ERROR;
            case 9 -> GuestStop.StopReason.UNHANDLED_EXIT;
            default -> throw BytesIn.errorAt(at, "unknown stop reason code " + code);
        };
    }
}
