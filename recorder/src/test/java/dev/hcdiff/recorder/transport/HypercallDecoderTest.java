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
