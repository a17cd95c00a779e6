package dev.hcdiff.recorder.transport;

import dev.hcdiff.recorder.kvm.KvmRegs;
import dev.hcdiff.recorder.kvm.KvmSegment;
import dev.hcdiff.recorder.kvm.KvmSregs;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Hypercall;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Register conventions of xen/arch/x86/hvm/hypercall.c hvm_hypercall() (xen-abi.md §1.1). */
class HypercallDecoderTest {

    private static final long EFER_LMA = 1L << 10;
    private static final long CR0_PE = 1L;

    @Test
    void longModeWithALongCodeSegmentUsesTheSixtyFourBitRegisters() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = regs(arena);
            MemorySegment sregs = arena.allocate(KvmSregs.LAYOUT);
            KvmSregs.cr0(sregs, CR0_PE);
            KvmSregs.efer(sregs, EFER_LMA);
            sregs.set(JAVA_BYTE, KvmSregs.CS + KvmSegment.L, (byte) 1);
            assertEquals(CpuMode.LONG64, HypercallDecoder.modeOf(regs, sregs));
            assertEquals(Abi.XEN64, HypercallDecoder.abiOf(HypercallDecoder.modeOf(regs, sregs)));
            Hypercall h = HypercallDecoder.decode(0, Abi.XEN64, regs);
            assertEquals(0xAAAA_0000_0000_0011L, h.call());
            // rdi rsi rdx r10 r8 r9
            assertArrayEquals(new long[] {0x1111_0000_0000_0005L, 0x1111_0000_0000_0004L, 0x1111_0000_0000_0003L,
                    0x1111_0000_0000_000AL, 0x1111_0000_0000_0008L, 0x1111_0000_0000_0009L}, h.args());
        }
    }

    @Test
    void compatSegmentAndProtectedModeUseTheThirtyTwoBitRegisters() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = regs(arena);
            MemorySegment sregs = arena.allocate(KvmSregs.LAYOUT);
            KvmSregs.cr0(sregs, CR0_PE);
            KvmSregs.efer(sregs, EFER_LMA); // long mode, but CS.L = 0 and CS.D = 0: a 16-bit compat segment
            assertEquals(CpuMode.PROTECTED16, HypercallDecoder.modeOf(regs, sregs));
            sregs.set(JAVA_BYTE, KvmSregs.CS + KvmSegment.DB, (byte) 1);
            assertEquals(CpuMode.PROTECTED32, HypercallDecoder.modeOf(regs, sregs));
            assertEquals(Abi.XEN32, HypercallDecoder.abiOf(HypercallDecoder.modeOf(regs, sregs)));
            KvmSregs.efer(sregs, 0);
            assertEquals(CpuMode.PROTECTED32, HypercallDecoder.modeOf(regs, sregs));
            KvmSregs.cr0(sregs, 0);
            assertEquals(CpuMode.REAL, HypercallDecoder.modeOf(regs, sregs));
            Hypercall h = HypercallDecoder.decode(1, Abi.XEN32, regs);
            assertEquals(0x11, h.call());
            assertEquals(1, h.vcpu());
            // ebx ecx edx esi edi ebp, upper halves dropped
            assertArrayEquals(new long[] {1, 2, 3, 4, 5, 7}, h.args());
        }
    }

    @Test
    void hyperVCallsTakeTheInputValueFromRcxAndTheParametersFromRdxAndR8() {
        try (Arena arena = Arena.ofConfined()) {
            // TLFS "Hypercall Inputs", x64 register mapping: input value RCX, input GPA / fast
            // parameter 1 RDX, output GPA / fast parameter 2 R8; the record pads with four zeros.
            Hypercall h = HypercallDecoder.decode(0, Abi.HV64, regs(arena));
            assertEquals(0x1111_0000_0000_0002L, h.call()); // rcx is kvm_regs slot 2
            assertArrayEquals(new long[] {0x1111_0000_0000_0003L, 0x1111_0000_0000_0008L, 0, 0, 0, 0}, h.args());
            // RAX gets the whole 64-bit result value (status | reps completed << 32).
            assertEquals(0x0000_0005_0000_0000L, HypercallDecoder.resultRegister(Abi.HV64, 0x0000_0005_0000_0000L));
        }
    }

    @Test
    void hyperVCallsAreLegalOnlyFromLongModeAtCplZero() {
        // TLFS "Legal Hypercall Environments": protected mode at CPL 0; real mode or CPL > 0 is #UD.
        assertNull(HypercallDecoder.hvRefusal(CpuMode.LONG64, 0));
        assertTrue(HypercallDecoder.hvRefusal(CpuMode.LONG64, 3).contains("CPL 3: the TLFS raises #UD"));
        assertTrue(HypercallDecoder.hvRefusal(CpuMode.REAL, 0).contains("real mode: the TLFS raises #UD"));
        assertTrue(HypercallDecoder.hvRefusal(CpuMode.VM86, 3).contains("#UD"));
        assertTrue(HypercallDecoder.hvRefusal(CpuMode.PROTECTED32, 1).contains("CPL 1: the TLFS raises #UD"));
        // Legal, but the trace has no 32-bit Hyper-V ABI: refused with that reason, not as #UD.
        String pm32 = HypercallDecoder.hvRefusal(CpuMode.PROTECTED32, 0);
        assertTrue(pm32.contains("legal") && pm32.contains("only the x64 convention"), pm32);
        assertFalse(pm32.contains("#UD"), pm32);
    }

    @Test
    void thirtyTwoBitResultsAreTruncatedToEax() {
        // -EPERM (xen errno 1) as a 32-bit caller sees it in eax.
        assertEquals(0xFFFF_FFFFL, HypercallDecoder.resultRegister(Abi.XEN32, -1));
        assertEquals(-1L, HypercallDecoder.resultRegister(Abi.XEN64, -1));
    }

    /** rax = 0xAAAA..0011, every other register 0x1111_0000_0000_0000 | its index in kvm_regs (rbx 1 … rdi 5, rbp 7, r8 8 …). */
    private static MemorySegment regs(Arena arena) {
        MemorySegment regs = arena.allocate(KvmRegs.LAYOUT);
        for (long off = 0; off < KvmRegs.SIZE; off += 8) {
            KvmRegs.set(regs, off, 0x1111_0000_0000_0000L | (off / 8));
        }
        KvmRegs.rax(regs, 0xAAAA_0000_0000_0011L);
        return regs;
    }
}
