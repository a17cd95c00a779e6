package dev.hcdiff.recorder.guest;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.vmm.GuestRam;

import java.util.List;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * Everything the recorder decides about starting one image, before any KVM object exists: the
 * protocol ({@link Boot}, never AUTO here), the entry point, where {@code hvm_start_info} goes,
 * and the guest-physical RAM regions. The journal header is written from it and {@link #prepare}
 * and {@link #enter} carry it out, so header and boot cannot disagree.
 *
 * @param boot          KIT, FIRMWARE or PVH
 * @param entry         the first instruction's guest-physical address
 * @param startInfo     GPA of {@code hvm_start_info} (FIRMWARE, PVH), or -1 (KIT)
 * @param cmdline       the PVH command line, or null
 * @param memoryBytes   low RAM
 * @param regions       RAM regions, ascending
 */
public record BootPlan(Boot boot, long entry, long startInfo, String cmdline, long memoryBytes,
                       List<GuestRam.Region> regions) {

    /** libxc allocates the start_info segment on the page after the loaded image ({@code xc_dom_alloc_segment}). */
    static final long PAGE = 4096;
    /** vCPUs of the domain (the recorder runs one). */
    static final int VCPUS = 1;

    public BootPlan {
        regions = List.copyOf(regions);
    }

    /**
     * Decides how to boot {@code image}.
     *
     * @param requested the user's choice; AUTO picks PVH when the note is present, else FIRMWARE
     *                  for ELF32 and KIT for ELF64
     * @param cmdline   a PVH command line, or null/empty for none
     * @throws BadGuestImage            when the image cannot boot that way (PVH without the note,
     *                                  FIRMWARE from ELF64, no room for hvm_start_info)
     * @throws IllegalArgumentException for a command line with a protocol that takes none
     */
    public static BootPlan of(ElfImage image, byte[] file, Boot requested, long memoryBytes, String cmdline) {
        OptionalLong pvhEntry = XenElfNotes.phys32Entry(image.name(), file);
        Boot boot = switch (requested) {
            case AUTO -> pvhEntry.isPresent() ? Boot.PVH : image.is64() ? Boot.KIT : Boot.FIRMWARE;
            case KIT, FIRMWARE, PVH -> requested;
        };
        String cmd = cmdline == null || cmdline.isEmpty() ? null : cmdline;
        if (cmd != null && boot != Boot.PVH) {
            throw new IllegalArgumentException("a command line is passed only to PVH guests, but '" + image.name()
                    + "' boots as " + boot.textName());
        }
        return switch (boot) {
            case KIT -> new BootPlan(boot, image.entry(), -1, null, memoryBytes,
                    List.of(new GuestRam.Region(0, memoryBytes)));
            case FIRMWARE -> {
                if (image.is64()) {
                    // xg_dom_hvmloader.c xc_dom_parse_hvm_kernel(): "ELF image is not 32bit".
                    throw new BadGuestImage(image.name(), "firmware boot needs an ELF32 image (as libxc's HVM firmware "
                            + "loader does); boot it as kit or pvh");
                }
                long startInfo = startInfoAt(image, memoryBytes, null);
                if (startInfo < HvmLayout.HVM_INFO_PAGE + PAGE && startInfo + PAGE > HvmLayout.HVM_INFO_PAGE) {
                    throw new BadGuestImage(image.name(), "hvm_start_info would go at 0x" + Long.toHexString(startInfo)
                            + ", over the hvm_info_table page 0x9f000: link the image at 0x100000");
                }
                yield new BootPlan(boot, image.entry(), startInfo, null, memoryBytes, HvmLayout.hvmRegions(memoryBytes));
            }
            case PVH -> {
                if (pvhEntry.isEmpty()) {
                    throw new BadGuestImage(image.name(), "no XEN_ELFNOTE_PHYS32_ENTRY note, so it cannot boot as PVH; "
                            + "boot it as firmware or kit");
                }
                yield new BootPlan(boot, pvhEntry.getAsLong(), startInfoAt(image, memoryBytes, cmd), cmd, memoryBytes,
                        HvmLayout.hvmRegions(memoryBytes));
            }
            case AUTO -> throw new IllegalStateException("AUTO was resolved above");
        };
    }

    /** The page after the image's highest byte, checked to leave room for the whole block in low RAM. */
    private static long startInfoAt(ElfImage image, long memoryBytes, String cmdline) {
        long end = 0;
        for (ElfImage.Segment s : image.segments()) {
            end = Math.max(end, s.paddr() + s.memSize());
        }
        long at = (end + PAGE - 1) & -PAGE;
        int size = HvmStartInfo.build(at, cmdline, List.of(new HvmStartInfo.MemmapEntry(0, 0, 0),
                new HvmStartInfo.MemmapEntry(0, 0, 0))).length;
        if (at + size > memoryBytes) {
            throw new BadGuestImage(image.name(), "no room for hvm_start_info at 0x" + Long.toHexString(at)
                    + " above the image in 0x" + Long.toHexString(memoryBytes) + " bytes of RAM: give the guest more memory");
        }
        return at;
    }

    /**
     * The e820 libxl gives the domain ({@code tools/libs/light/libxl_x86.c:
     * domain_construct_memmap()}), which libxc also copies into {@code hvm_start_info}: for an
     * HVM domain (it has a device model) RAM from 1 MiB to lowmem_end; for PVH RAM from 0 and
     * the special pages reserved. Empty for KIT.
     */
    public List<HvmStartInfo.MemmapEntry> e820() {
        return switch (boot) {
            case FIRMWARE -> List.of(new HvmStartInfo.MemmapEntry(HvmLayout.GUEST_LOW_MEM_START_DEFAULT,
                    memoryBytes - HvmLayout.GUEST_LOW_MEM_START_DEFAULT, HvmLayout.MEMMAP_TYPE_RAM));
            case PVH -> List.of(new HvmStartInfo.MemmapEntry(0, memoryBytes, HvmLayout.MEMMAP_TYPE_RAM),
                    new HvmStartInfo.MemmapEntry(HvmLayout.SPECIAL_PFN_0 << 12, HvmLayout.X86_HVM_NR_SPECIAL_PAGES << 12,
                            HvmLayout.MEMMAP_TYPE_RESERVED));
            case KIT, AUTO -> List.of();
        };
    }

    /**
     * Loads the image and writes what the domain builder writes: for FIRMWARE the
     * hvm_info_table; for FIRMWARE and PVH hvm_start_info and the identity page table libxc puts
     * in the IDENT_PT special page ({@code alloc_magic_pages_hvm()}). KIT guests get their boot
     * structures from {@link #enter}.
     *
     * @throws BadGuestImage when a segment does not fit or overlaps what the builder writes
     */
    public void prepare(GuestRam ram, ElfImage image, byte[] file) {
        switch (boot) {
            case KIT -> image.loadInto(ram, file, BootLayout.RESERVED_END);
            case FIRMWARE -> image.loadInto(ram, file, new ElfImage.Reserved(HvmLayout.HVM_INFO_PAGE,
                    HvmLayout.HVM_INFO_PAGE + PAGE, "the hvm_info_table page"));
            case PVH -> image.loadInto(ram, file, ElfImage.Reserved.NONE);
            case AUTO -> throw new IllegalStateException("a plan is never AUTO");
        }
        if (entry < 0 || entry >= ram.lowRamEnd()) {
            throw new BadGuestImage(image.name(), "entry point 0x" + Long.toHexString(entry)
                    + " lies outside the guest's RAM");
        }
        if (boot == Boot.KIT) {
            return;
        }
        try {
            if (boot == Boot.FIRMWARE) {
                ram.fill(HvmLayout.HVM_INFO_PAGE, PAGE, (byte) 0);
                ram.write(HvmLayout.HVM_INFO_PADDR, HvmInfoTable.build(memoryBytes, VCPUS));
            }
            ram.write(startInfo, HvmStartInfo.build(startInfo, cmdline, e820()));
            long identPt = HvmLayout.IDENT_PT_PFN << 12;
            for (long i = 0; i < PAGE / 4; i++) {
                long pde = i << 22 | HvmLayout.IDENT_PT_FLAGS;
                ram.write(identPt + 4 * i, new byte[] {(byte) pde, (byte) (pde >>> 8), (byte) (pde >>> 16),
                        (byte) (pde >>> 24)});
            }
        } catch (GuestFault e) {
            throw new IllegalStateException("the boot structures lie in RAM by construction: " + e.getMessage(), e);
        }
    }

    /** Sets the vCPU's boot state. {@code guestArg} reaches KIT guests only (RDI or EBX). */
    public void enter(GuestRam ram, VcpuFd vcpu, boolean is64, long guestArg) {
        switch (boot) {
            case KIT -> {
                if (is64) {
                    LongModeBoot.boot(ram, vcpu, entry, guestArg);
                } else {
                    ProtectedModeBoot.boot(ram, vcpu, entry, guestArg);
                }
            }
            case FIRMWARE, PVH -> HvmVcpuBoot.boot(vcpu, entry, startInfo);
            case AUTO -> throw new IllegalStateException("a plan is never AUTO");
        }
    }

    /** {@code 0x0-0x4000000,0xfc000000-0xfe000000,…}: each region's start and end (exclusive). */
    public String regionsText() {
        StringJoiner j = new StringJoiner(",");
        for (GuestRam.Region r : regions) {
            j.add("0x" + Long.toHexString(r.gpa()) + "-0x" + Long.toHexString(r.end()));
        }
        return j.toString();
    }
}
