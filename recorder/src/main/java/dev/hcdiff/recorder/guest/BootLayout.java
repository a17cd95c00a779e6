package dev.hcdiff.recorder.guest;

/**
 * Where the boot code puts its structures in guest-physical memory, below the 1 MiB where guest
 * images load (the guest kit's linker script, and hvmloader's load address, xen-abi.md §8.3).
 * Everything here lies below {@link #RESERVED_END}; ElfImage refuses segments that overlap it.
 */
public final class BootLayout {

    private BootLayout() {
    }

    /** GDT: null, 64-bit code, data, 32-bit code descriptors. */
    public static final long GDT = 0x1000;
    /** PML4 (one entry used). */
    public static final long PML4 = 0x2000;
    /** PDPT (one entry per GiB of RAM). */
    public static final long PDPT = 0x3000;
    /** First page directory; one 4 KiB PD per GiB of RAM, at most {@link #MAX_PDS}. */
    public static final long PD = 0x4000;
    /** RAM is capped at 3 GiB (GuestRam limit in the Recorder), so three PDs. */
    public static final int MAX_PDS = 3;
    /** Initial RSP/ESP: top of the stack area [0x10000, 0x80000). */
    public static final long STACK_TOP = 0x80000;
    /** First byte a guest image may occupy. */
    public static final long RESERVED_END = 0x80000;
    /** KVM_SET_TSS_ADDR: three pages just below the 4 GiB boundary's BIOS area, as QEMU uses (0xfffbd000). */
    public static final long TSS_ADDR = 0xfffbd000L;

    /** GDT selectors: index << 3 (Intel SDM vol. 3 §3.4.2). */
    public static final int CODE64_SELECTOR = 0x08;
    public static final int DATA_SELECTOR = 0x10;
    public static final int CODE32_SELECTOR = 0x18;
}
