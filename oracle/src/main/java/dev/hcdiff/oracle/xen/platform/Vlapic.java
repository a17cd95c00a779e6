package dev.hcdiff.oracle.xen.platform;

/**
 * One vCPU's virtual local APIC in xAPIC mode at its default base, as far as a guest reads and
 * writes its registers ({@code xen/arch/x86/hvm/vlapic.c}, Xen 4.17.7): reset values
 * ({@code vlapic_reset()}, {@code vlapic_do_init()}), MMIO reads ({@code vlapic_mmio_read()},
 * {@code vlapic_read_aligned()}) and writes ({@code vlapic_mmio_write()}, {@code vlapic_reg_write()})
 * with Xen's masks.
 *
 * <p>Not modelled: interrupt delivery through IRR/ISR (they stay empty, so EOI does nothing and
 * PPR reads as TPR), IPIs sent through ICR (the value is kept, bit 12 cleared), the timer (LVTT,
 * TMICT and TDCR keep their values, TMCCT reads 0, no timer is armed), x2APIC mode and moving the
 * base through the APIC-base MSR.
 */
public final class Vlapic {

    /** xen/arch/x86/include/asm/apicdef.h APIC_DEFAULT_PHYS_BASE. */
    public static final long APIC_DEFAULT_PHYS_BASE = 0xFEE0_0000L;
    /** The MMIO window: one page. */
    public static final int APIC_PAGE = 0x1000;

    /** apicdef.h register offsets. */
    public static final int APIC_ID = 0x20;
    public static final int APIC_LVR = 0x30;
    public static final int APIC_TASKPRI = 0x80;
    public static final int APIC_PROCPRI = 0xA0;
    public static final int APIC_EOI = 0xB0;
    public static final int APIC_LDR = 0xD0;
    public static final int APIC_DFR = 0xE0;
    public static final int APIC_SPIV = 0xF0;
    public static final int APIC_ISR = 0x100;
    public static final int APIC_TMR = 0x180;
    public static final int APIC_IRR = 0x200;
    public static final int APIC_ESR = 0x280;
    public static final int APIC_ICR = 0x300;
    public static final int APIC_ICR2 = 0x310;
    public static final int APIC_LVTT = 0x320;
    public static final int APIC_LVTTHMR = 0x330;
    public static final int APIC_LVTPC = 0x340;
    public static final int APIC_LVT0 = 0x350;
    public static final int APIC_LVT1 = 0x360;
    public static final int APIC_LVTERR = 0x370;
    public static final int APIC_TMICT = 0x380;
    public static final int APIC_TMCCT = 0x390;
    public static final int APIC_TDCR = 0x3E0;

    /** vlapic.c VLAPIC_VERSION. */
    public static final int VLAPIC_VERSION = 0x00050014;
    /** apicdef.h APIC_LVT_MASKED. */
    public static final int APIC_LVT_MASKED = 1 << 16;
    /** apicdef.h APIC_SPIV_APIC_ENABLED. */
    public static final int APIC_SPIV_APIC_ENABLED = 1 << 8;
    /** apicdef.h APIC_LDR_MASK. */
    public static final int APIC_LDR_MASK = 0xFF << 24;
    /** apicdef.h APIC_TDR_DIV_MASK: only bits 0, 1 and 3 of TDCR are settable. */
    public static final int APIC_TDR_DIV_MASK = 0xB;
    /** apicdef.h APIC_TIMER_MODE_MASK (bits 18:17). */
    public static final int APIC_TIMER_MODE_MASK = 3 << 17;
    /** apicdef.h APIC_TIMER_MODE_ONESHOT. */
    public static final int APIC_TIMER_MODE_ONESHOT = 0;
    /** apicdef.h APIC_TIMER_MODE_PERIODIC. */
    public static final int APIC_TIMER_MODE_PERIODIC = 1 << 17;
    /** apicdef.h APIC_TIMER_MODE_TSC_DEADLINE. */
    public static final int APIC_TIMER_MODE_TSC_DEADLINE = 2 << 17;
    /** vlapic.c VLAPIC_LVT_NUM. */
    public static final int VLAPIC_LVT_NUM = 6;

    /** vlapic.c LVT_MASK = APIC_LVT_MASKED | APIC_SEND_PENDING (1 &lt;&lt; 12) | APIC_VECTOR_MASK (0xff). */
    private static final int LVT_MASK = APIC_LVT_MASKED | 1 << 12 | 0xFF;
    /**
     * vlapic.c LINT_MASK = LVT_MASK | APIC_MODE_MASK (0x700) | APIC_INPUT_POLARITY (1 &lt;&lt; 13) |
     * APIC_LVT_REMOTE_IRR (1 &lt;&lt; 14) | APIC_LVT_LEVEL_TRIGGER (1 &lt;&lt; 15).
     */
    private static final int LINT_MASK = LVT_MASK | 0x700 | 1 << 13 | 1 << 14 | 1 << 15;
    /** vlapic.c vlapic_lvt_mask[]: LVTT, LVTTHMR, LVTPC, LVT0, LVT1, LVTERR. */
    private static final int[] LVT_MASKS = {LVT_MASK | APIC_TIMER_MODE_MASK, LVT_MASK | 0x700, LVT_MASK | 0x700,
            LINT_MASK, LINT_MASK, LVT_MASK};

    private final int[] regs = new int[APIC_PAGE / 4];
    private boolean swDisabled;

    /** {@code vlapic_reset()} for vCPU {@code vcpuId}: ID = vcpu_id * 2, then {@code vlapic_do_init()}. */
    public Vlapic(int vcpuId) {
        set(APIC_ID, (vcpuId * 2) << 24);
        set(APIC_LVR, VLAPIC_VERSION);
        set(APIC_DFR, 0xFFFFFFFF);
        for (int i = 0; i < VLAPIC_LVT_NUM; i++) {
            set(APIC_LVTT + 0x10 * i, APIC_LVT_MASKED);
        }
        set(APIC_SPIV, 0xFF);
        swDisabled = true;
    }

    /** {@code vlapic_enabled()}: hardware-enabled (always, at reset) and software-enabled (SPIV bit 8). */
    public boolean enabled() {
        return !swDisabled;
    }

    /** True when {@code gpa} is in this LAPIC's page ({@code vlapic_range()}). */
    public static boolean inRange(long gpa) {
        return gpa >= APIC_DEFAULT_PHYS_BASE && gpa < APIC_DEFAULT_PHYS_BASE + APIC_PAGE;
    }

    /** The raw register at an aligned offset. */
    public int reg(int offset) {
        return regs[offset >> 2];
    }

    private void set(int offset, int v) {
        regs[offset >> 2] = v;
    }

    private boolean timerModeIs(int mode) {
        return (reg(APIC_LVTT) & APIC_TIMER_MODE_MASK) == mode;
    }

    /** {@code vlapic_read_aligned()}. */
    private int readAligned(int offset) {
        return switch (offset) {
            case APIC_PROCPRI -> reg(APIC_TASKPRI) & 0xFF; // vlapic_get_ppr() with an empty ISR
            case APIC_TMCCT -> 0;
            case APIC_TMICT -> timerModeIs(APIC_TIMER_MODE_ONESHOT) || timerModeIs(APIC_TIMER_MODE_PERIODIC)
                    ? reg(APIC_TMICT) : 0;
            default -> reg(offset);
        };
    }

    /**
     * {@code vlapic_mmio_read()}: an access that fits in one 32-bit register up to TDCR reads it
     * (shifted for a narrow access); anything else reads 0.
     */
    public long read(long gpa, int size) {
        int offset = (int) (gpa - APIC_DEFAULT_PHYS_BASE);
        int alignment = offset & 0xF;
        if (alignment + size <= 4 && offset <= APIC_TDCR + 3) {
            int reg = readAligned(offset & ~0xF);
            return switch (size) {
                case 1 -> (reg >>> (alignment * 8)) & 0xFF;
                case 2 -> (reg >>> (alignment * 8)) & 0xFFFF;
                default -> reg & 0xFFFF_FFFFL;
            };
        }
        return 0;
    }

    /**
     * {@code vlapic_mmio_write()}: accesses that fit a register up to TDCR reach
     * {@code vlapic_reg_write()}, a narrow one merged into the register's value.
     *
     * @return true when this write software-enabled the LAPIC (Xen then re-raises a pending upcall
     *         vector)
     */
    public boolean write(long gpa, int size, long value) {
        int offset = (int) (gpa - APIC_DEFAULT_PHYS_BASE);
        int alignment = offset & 0xF;
        offset &= ~0xF;
        if (alignment + size > 4 || offset > APIC_TDCR) {
            return false;
        }
        int val = (int) value;
        if (size < 4) {
            int reg = readAligned(offset);
            int shift = alignment * 8;
            int mask = size == 1 ? 0xFF : 0xFFFF;
            val = (reg & ~(mask << shift)) | ((val & mask) << shift);
        }
        return regWrite(offset, val);
    }

    /** {@code vlapic_reg_write()}. */
    private boolean regWrite(int reg, int val) {
        switch (reg) {
            case APIC_ID -> set(APIC_ID, val);
            case APIC_TASKPRI -> set(APIC_TASKPRI, val & 0xFF);
            case APIC_EOI -> {
                // vlapic_EOI_set(): no vector is ever in service in the model.
            }
            case APIC_LDR -> set(APIC_LDR, val & APIC_LDR_MASK);
            case APIC_DFR -> set(APIC_DFR, val | 0x0FFFFFFF);
            case APIC_SPIV -> {
                set(APIC_SPIV, val & 0x3FF);
                if ((val & APIC_SPIV_APIC_ENABLED) == 0) {
                    swDisabled = true;
                    for (int i = 0; i < VLAPIC_LVT_NUM; i++) {
                        set(APIC_LVTT + 0x10 * i, reg(APIC_LVTT + 0x10 * i) | APIC_LVT_MASKED);
                    }
                } else {
                    swDisabled = false;
                    return true;
                }
            }
            case APIC_ICR -> set(APIC_ICR, val & ~(1 << 12)); // "always clear the pending bit"
            case APIC_ICR2 -> set(APIC_ICR2, val & 0xFF000000);
            case APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR -> {
                if (reg == APIC_LVTT && timerModeIs(APIC_TIMER_MODE_TSC_DEADLINE)
                        != ((val & APIC_TIMER_MODE_MASK) == APIC_TIMER_MODE_TSC_DEADLINE)) {
                    set(APIC_TMICT, 0); // leaving or entering TSC-deadline mode
                }
                int v = swDisabled ? val | APIC_LVT_MASKED : val;
                set(reg, v & LVT_MASKS[(reg - APIC_LVTT) >> 4]);
            }
            case APIC_TMICT -> {
                if (timerModeIs(APIC_TIMER_MODE_ONESHOT) || timerModeIs(APIC_TIMER_MODE_PERIODIC)) {
                    set(APIC_TMICT, val);
                }
            }
            case APIC_TDCR -> set(APIC_TDCR, val & APIC_TDR_DIV_MASK);
            default -> {
                // Read-only or reserved: ignored (ESR, LVR, PPR, ISR/TMR/IRR, TMCCT, …).
            }
        }
        return false;
    }
}
