package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;

/**
 * Linear → guest-physical translation by walking the guest's own page tables, as Xen's
 * {@code hvm_copy_from_guest_linear()} does for hypercall arguments. Modes (Intel SDM vol. 3
 * ch. 4): paging off (CR0.PG = 0: linear is physical, 32 bits outside long mode), 32-bit
 * paging (4 KiB, and 4 MiB pages with CR4.PSE), PAE paging (4 KiB / 2 MiB), and 4-level
 * long-mode paging (4 KiB / 2 MiB / 1 GiB). Access rights are not checked: Xen copies as the
 * hypervisor. Every table read goes through {@link GuestRam}'s bounds checks.
 */
public final class PageWalker {

    private PageWalker() {
    }

    /** CR0.PG, bit 31 (SDM vol. 3 §2.5). */
    static final long CR0_PG = 1L << 31;
    /** CR4.PSE, bit 4: 4 MiB pages in 32-bit paging. */
    static final long CR4_PSE = 1L << 4;
    /** CR4.PAE, bit 5. */
    static final long CR4_PAE = 1L << 5;
    /** CR4.LA57, bit 12: 5-level paging. */
    static final long CR4_LA57 = 1L << 12;
    /** IA32_EFER.LMA, bit 10: long mode active. */
    static final long EFER_LMA = 1L << 10;
    /** Paging-entry bit 0, P (present). */
    static final long P = 1L;
    /** Paging-entry bit 7, PS (page size) in PDPTEs and PDEs. */
    static final long PS = 1L << 7;
    /** Physical-address bits 51:12 of a 64-bit paging entry (SDM vol. 3 tables 4-15..4-20). */
    static final long ADDR_MASK = 0x000F_FFFF_FFFF_F000L;
    private static final long MASK_4K = 0xFFFL;
    private static final long MASK_2M = (1L << 21) - 1;
    private static final long MASK_4M = (1L << 22) - 1;
    private static final long MASK_1G = (1L << 30) - 1;

    /**
     * The guest-physical address of {@code linear} under {@code regs}.
     *
     * @throws GuestFault when a level is not present, a table lies outside RAM, or the mode is
     *                    one this walker does not implement (5-level paging)
     */
    public static long translate(GuestRam ram, ControlRegisters regs, long linear) throws GuestFault {
        long cr0 = regs.cr0();
        if ((cr0 & CR0_PG) == 0) {
            return (regs.efer() & EFER_LMA) != 0 ? linear : linear & 0xFFFF_FFFFL;
        }
        long cr4 = regs.cr4();
        if ((regs.efer() & EFER_LMA) != 0) {
            if ((cr4 & CR4_LA57) != 0) {
                throw new GuestFault(linear, 1, "5-level paging is not supported");
            }
            return longMode(ram, regs.cr3(), linear);
        }
        if ((cr4 & CR4_PAE) != 0) {
            return pae(ram, regs.cr3(), linear & 0xFFFF_FFFFL);
        }
        return legacy(ram, regs.cr3(), cr4, linear & 0xFFFF_FFFFL);
    }

    private static long longMode(GuestRam ram, long cr3, long la) throws GuestFault {
        if (la != ((la << 16) >> 16)) {
            throw new GuestFault(la, 1, "non-canonical address");
        }
        long pml4e = entry(ram, cr3 & ADDR_MASK, (la >>> 39) & 0x1FF, la, "PML4E");
        long pdpte = entry(ram, pml4e & ADDR_MASK, (la >>> 30) & 0x1FF, la, "PDPTE");
        if ((pdpte & PS) != 0) {
            return (pdpte & ADDR_MASK & ~MASK_1G) | (la & MASK_1G);
        }
        long pde = entry(ram, pdpte & ADDR_MASK, (la >>> 21) & 0x1FF, la, "PDE");
        if ((pde & PS) != 0) {
            return (pde & ADDR_MASK & ~MASK_2M) | (la & MASK_2M);
        }
        long pte = entry(ram, pde & ADDR_MASK, (la >>> 12) & 0x1FF, la, "PTE");
        return (pte & ADDR_MASK) | (la & MASK_4K);
    }

    private static long pae(GuestRam ram, long cr3, long la) throws GuestFault {
        // CR3 bits 31:5 locate the four-entry PDPT (SDM vol. 3 §4.4.1).
        long pdpte = entry(ram, cr3 & 0xFFFF_FFE0L, (la >>> 30) & 0x3, la, "PDPTE");
        long pde = entry(ram, pdpte & ADDR_MASK, (la >>> 21) & 0x1FF, la, "PDE");
        if ((pde & PS) != 0) {
            return (pde & ADDR_MASK & ~MASK_2M) | (la & MASK_2M);
        }
        long pte = entry(ram, pde & ADDR_MASK, (la >>> 12) & 0x1FF, la, "PTE");
        return (pte & ADDR_MASK) | (la & MASK_4K);
    }

    private static long legacy(GuestRam ram, long cr3, long cr4, long la) throws GuestFault {
        long pde = entry32(ram, cr3 & 0xFFFF_F000L, (la >>> 22) & 0x3FF, la, "PDE");
        if ((pde & PS) != 0 && (cr4 & CR4_PSE) != 0) {
            // 4 MiB page: bits 31:22 from the PDE, bits 39:32 from PDE bits 20:13 (PSE-36).
            long high = ((pde >>> 13) & 0xFF) << 32;
            return high | (pde & 0xFFC0_0000L) | (la & MASK_4M);
        }
        long pte = entry32(ram, pde & 0xFFFF_F000L, (la >>> 12) & 0x3FF, la, "PTE");
        return (pte & 0xFFFF_F000L) | (la & MASK_4K);
    }

    private static long entry(GuestRam ram, long table, long index, long la, String level) throws GuestFault {
        long e = ram.readLong(table + index * 8);
        if ((e & P) == 0) {
            throw new GuestFault(la, 1, level + " not present");
        }
        return e;
    }

    private static long entry32(GuestRam ram, long table, long index, long la, String level) throws GuestFault {
        long e = ram.readInt(table + index * 4);
        if ((e & P) == 0) {
            throw new GuestFault(la, 1, level + " not present");
        }
        return e;
    }
}
