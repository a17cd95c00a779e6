package dev.hcdiff.recorder.kvm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct kvm_regs} (x86-64, {@code <asm/kvm.h>}): 18 general registers of 8 bytes.
 * <pre>
 * struct kvm_regs {
 *     __u64 rax, rbx, rcx, rdx;
 *     __u64 rsi, rdi, rsp, rbp;
 *     __u64 r8,  r9,  r10, r11;
 *     __u64 r12, r13, r14, r15;
 *     __u64 rip, rflags;
 * };
 * </pre>
 * Accessors take the struct's own segment (a standalone one for KVM_GET/SET_REGS, or the sync-regs
 * slice of kvm_run).
 */
public final class KvmRegs {

    private KvmRegs() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags")).withName("kvm_regs");

    public static final long SIZE = LAYOUT.byteSize();
    public static final long RAX = off("rax");
    public static final long RBX = off("rbx");
    public static final long RCX = off("rcx");
    public static final long RDX = off("rdx");
    public static final long RSI = off("rsi");
    public static final long RDI = off("rdi");
    public static final long RSP = off("rsp");
    public static final long RBP = off("rbp");
    public static final long R8 = off("r8");
    public static final long R9 = off("r9");
    public static final long R10 = off("r10");
    public static final long R15 = off("r15");
    public static final long RIP = off("rip");
    public static final long RFLAGS = off("rflags");

    /** RFLAGS bit 1 is reserved and always 1 (Intel SDM vol. 1 §3.4.3). */
    public static final long RFLAGS_RESERVED = 1L << 1;
    /** RFLAGS.IF, bit 9: maskable interrupts enabled (Intel SDM vol. 1 §3.4.3). */
    public static final long RFLAGS_IF = 1L << 9;

    private static long off(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    public static long get(MemorySegment regs, long offset) {
        return regs.get(JAVA_LONG, offset);
    }

    public static void set(MemorySegment regs, long offset, long value) {
        regs.set(JAVA_LONG, offset, value);
    }

    public static long rax(MemorySegment regs) { return regs.get(JAVA_LONG, RAX); }
    public static void rax(MemorySegment regs, long v) { regs.set(JAVA_LONG, RAX, v); }
    public static long rip(MemorySegment regs) { return regs.get(JAVA_LONG, RIP); }
    public static void rip(MemorySegment regs, long v) { regs.set(JAVA_LONG, RIP, v); }
    public static long rsp(MemorySegment regs) { return regs.get(JAVA_LONG, RSP); }
    public static void rsp(MemorySegment regs, long v) { regs.set(JAVA_LONG, RSP, v); }
    public static long rdi(MemorySegment regs) { return regs.get(JAVA_LONG, RDI); }
    public static void rdi(MemorySegment regs, long v) { regs.set(JAVA_LONG, RDI, v); }
    public static long rflags(MemorySegment regs) { return regs.get(JAVA_LONG, RFLAGS); }
    public static void rflags(MemorySegment regs, long v) { regs.set(JAVA_LONG, RFLAGS, v); }
}
