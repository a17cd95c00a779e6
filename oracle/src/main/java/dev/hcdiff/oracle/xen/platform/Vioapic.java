package dev.hcdiff.oracle.xen.platform;

/**
 * The domain's virtual IOAPIC at its default base, as far as a guest reads and writes it
 * ({@code xen/arch/x86/hvm/vioapic.c}, Xen 4.17.7): the index/data window
 * ({@code vioapic_read()}, {@code vioapic_write()}), the ID, version and arbitration registers
 * ({@code vioapic_read_indirect()}, {@code vioapic_write_indirect()}), and the redirection table
 * with its read-only bits ({@code vioapic_write_redirent()}); reset state of
 * {@code vioapic_reset()} for a domU: ID 0, every pin masked.
 *
 * <p>Not modelled: delivering interrupts (no line is ever asserted in the model, so remote IRR
 * stays 0 and an unmask delivers nothing).
 */
public final class Vioapic {

    /** xen/arch/x86/include/asm/hvm/vioapic.h VIOAPIC_DEFAULT_BASE_ADDRESS. */
    public static final long VIOAPIC_DEFAULT_BASE_ADDRESS = 0xFEC0_0000L;
    /** vioapic.h VIOAPIC_MEM_LENGTH. */
    public static final int VIOAPIC_MEM_LENGTH = 0x100;
    /** vioapic.h VIOAPIC_VERSION_ID. */
    public static final int VIOAPIC_VERSION_ID = 0x11;
    /** vioapic.h VIOAPIC_REG_SELECT. */
    public static final int VIOAPIC_REG_SELECT = 0x00;
    /** vioapic.h VIOAPIC_REG_WINDOW. */
    public static final int VIOAPIC_REG_WINDOW = 0x10;
    /** vioapic.h VIOAPIC_REG_APIC_ID. */
    public static final int VIOAPIC_REG_APIC_ID = 0x00;
    /** vioapic.h VIOAPIC_REG_VERSION. */
    public static final int VIOAPIC_REG_VERSION = 0x01;
    /** vioapic.h VIOAPIC_REG_ARB_ID. */
    public static final int VIOAPIC_REG_ARB_ID = 0x02;
    /** vioapic.h VIOAPIC_REG_RTE0. */
    public static final int VIOAPIC_REG_RTE0 = 0x10;
    /**
     * The pins of a domU's one vIOAPIC: {@code NR_HVM_DOMU_IRQS} = ARRAY_SIZE(((struct
     * hvm_hw_vioapic *)0)->redirtbl) = VIOAPIC_NUM_PINS = 48 (xen/arch/x86/include/asm/hvm/irq.h,
     * xen/include/public/arch-x86/hvm/save.h).
     */
    public static final int NR_PINS = 48;

    /** union vioapic_redir_entry: mask bit 16, delivery_status 12, remote_irr 14, trig_mode 15. */
    private static final long MASK = 1L << 16;
    private static final long DELIVERY_STATUS = 1L << 12;
    private static final long REMOTE_IRR = 1L << 14;
    private static final long LEVEL_TRIG = 1L << 15;

    private int ioregsel;
    private int id;
    private final long[] redirtbl = new long[NR_PINS];

    /** {@code vioapic_reset()}: ID 0, every entry masked. */
    public Vioapic() {
        for (int i = 0; i < NR_PINS; i++) {
            redirtbl[i] = MASK;
        }
    }

    /** True when {@code gpa} is inside the window ({@code vioapic_range()}). */
    public static boolean inRange(long gpa) {
        return gpa >= VIOAPIC_DEFAULT_BASE_ADDRESS && gpa < VIOAPIC_DEFAULT_BASE_ADDRESS + VIOAPIC_MEM_LENGTH;
    }

    /** Redirection entry {@code pin}, 64 bits. */
    public long redirEntry(int pin) {
        return redirtbl[pin];
    }

    /** The 4-bit ID. */
    public int id() {
        return id;
    }

    /** {@code vioapic_read()}: SELECT reads ioregsel, WINDOW the selected register, the rest 0; cut to {@code size}. */
    public long read(long gpa, int size) {
        int result = switch ((int) (gpa & 0xFF)) {
            case VIOAPIC_REG_SELECT -> ioregsel;
            case VIOAPIC_REG_WINDOW -> readIndirect();
            default -> 0;
        };
        long r = result & 0xFFFF_FFFFL;
        return size >= 4 ? r : r & ((1L << (8 * size)) - 1);
    }

    /** {@code vioapic_write()}: SELECT sets ioregsel, WINDOW writes the selected register, the rest is ignored. */
    public void write(long gpa, int size, long value) {
        switch ((int) (gpa & 0xFF)) {
            case VIOAPIC_REG_SELECT -> ioregsel = (int) value;
            case VIOAPIC_REG_WINDOW -> writeIndirect((int) value);
            default -> {
                // VIOAPIC_REG_EOI exists only for VIOAPIC_VERSION_ID >= 0x20.
            }
        }
    }

    /** {@code vioapic_read_indirect()}. */
    private int readIndirect() {
        return switch (ioregsel) {
            case VIOAPIC_REG_VERSION -> VIOAPIC_VERSION_ID | (NR_PINS - 1) << 16; // union IO_APIC_reg_01
            case VIOAPIC_REG_APIC_ID, VIOAPIC_REG_ARB_ID -> id << 24;         // union IO_APIC_reg_02
            default -> {
                long idx = Integer.toUnsignedLong(ioregsel - VIOAPIC_REG_RTE0) >>> 1;
                if (idx >= NR_PINS) {
                    yield 0; // "apic_mem_readl:undefined ioregsel"
                }
                long e = redirtbl[(int) idx];
                yield (ioregsel & 1) != 0 ? (int) (e >>> 32) : (int) e;
            }
        };
    }

    /** {@code vioapic_write_indirect()}. */
    private void writeIndirect(int val) {
        switch (ioregsel) {
            case VIOAPIC_REG_VERSION, VIOAPIC_REG_ARB_ID -> {
                // "Writes are ignored."
            }
            case VIOAPIC_REG_APIC_ID -> id = (val >>> 24) & 0xF;
            default -> {
                long idx = Integer.toUnsignedLong(ioregsel - VIOAPIC_REG_RTE0) >>> 1;
                if (idx < NR_PINS) {
                    writeRedirent((int) idx, (ioregsel & 1) != 0, val);
                }
            }
        }
    }

    /**
     * {@code vioapic_write_redirent()}: the top word holds only the destination; the low word keeps
     * remote IRR and clears delivery status, and an edge-triggered entry's remote IRR is cleared
     * (pin 0 excepted).
     */
    private void writeRedirent(int idx, boolean topWord, int val) {
        long ent = redirtbl[idx];
        if (topWord) {
            ent = (ent & 0xFFFF_FFFFL) | ((long) val << 32);
        } else {
            long remoteIrr = ent & REMOTE_IRR;
            ent = (ent & 0xFFFF_FFFF_0000_0000L) | (val & 0xFFFF_FFFFL);
            ent &= ~DELIVERY_STATUS;
            ent = (ent & ~REMOTE_IRR) | remoteIrr;
        }
        if (idx != 0 && (ent & LEVEL_TRIG) == 0) {
            ent &= ~REMOTE_IRR;
        }
        redirtbl[idx] = ent;
    }
}
