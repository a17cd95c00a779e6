package dev.hcdiff.oracle.xen.platform;

import dev.hcdiff.oracle.xen.abi.CpuidH;

/**
 * The hypervisor CPUID leaves Xen 4.17 gives an HVM domU ({@code xen/arch/x86/traps.c
 * cpuid_hypervisor_leaves()}; xen-abi.md §2). {@code guest_cpuid()} zeroes every result first, so a
 * leaf above {@code base+limit}, an unlisted subleaf, every register not set below, and every leaf
 * outside {@code [base, base+0xff]} read as zeros.
 *
 * <p>Host facts the model cannot see are fixed here and cited: TSC not emulated with a safe host
 * TSC and RDTSCP, {@code tsc_mode} 0, incarnation 1, and no VMX APIC virtualisation (leaf base+4 bits
 * 0/1 clear). Xen's system time starts at domain creation in the model's virtual clock, so the TSC
 * offset of leaf base+3 subleaf 1 is 0. With Viridian (base 0x40000100) the leaves at
 * 0x40000000..0x400000ff are Hyper-V's, which this model does not serve: they read as zeros.
 */
public final class CpuidLeaves {

    /** {@code XEN_CPUID_MAX_NUM_LEAVES}: libxl leaves hv_limit at 0, which means the maximum. */
    private static final int LIMIT = CpuidH.XEN_CPUID_MAX_NUM_LEAVES;
    /**
     * base+3 subleaf 0 EAX: bit0 vtsc = 0 ({@code tsc_set_info()} uses the native TSC in default
     * mode when the host TSC is safe), bit1 {@code host_tsc_is_safe()} = 1, bit2 RDTSCP = 1.
     */
    private static final int TSC_FEATURES = 0b110;
    /** {@code tsc_set_info()}: {@code d->arch.incarnation = incarnation + 1}, libxl passes 0. */
    private static final int INCARNATION = 1;
    /** base+4 EAX without the host-dependent VMX bits 0/1. */
    private static final int HVM_FLAGS = CpuidH.XEN_HVM_CPUID_IOMMU_MAPPINGS | CpuidH.XEN_HVM_CPUID_VCPU_ID_PRESENT
            | CpuidH.XEN_HVM_CPUID_DOMID_PRESENT | CpuidH.XEN_HVM_CPUID_UPCALL_VECTOR;

    private final int base;
    private final int msrBase;
    private final int version;
    private final int tscKhz;
    private final TimeScale tscToNs;
    private final int domainId;

    /**
     * @param base     0x40000000, or 0x40000100 when Viridian owns the first range
     * @param major    Xen major version (4)
     * @param minor    Xen minor version (17)
     * @param tscKhz   guest TSC frequency = host {@code cpu_khz} (gtsc_khz 0 at creation)
     * @param domainId the domain's id
     */
    public CpuidLeaves(int base, int major, int minor, int tscKhz, int domainId) {
        this.base = base;
        this.msrBase = base == CpuidH.XEN_CPUID_VIRIDIAN_BASE ? CpuidH.XEN_MSR_VIRIDIAN_BASE : CpuidH.XEN_MSR_BASE;
        this.version = major << 16 | minor;
        this.tscKhz = tscKhz;
        this.tscToNs = TimeScale.of(tscKhz * 1000L);
        this.domainId = domainId;
    }

    /** The hypercall-page MSR index that leaf base+2 EBX advertises. */
    public int msrBase() {
        return msrBase;
    }

    /**
     * The answer to CPUID {@code leaf}/{@code subleaf} on {@code vcpu}: {eax, ebx, ecx, edx}.
     */
    public int[] query(int vcpu, int leaf, int subleaf) {
        int[] r = new int[4];
        long idx = Integer.toUnsignedLong(leaf) - Integer.toUnsignedLong(base);
        if (idx < 0 || idx > 0xff || idx > LIMIT) {
            return r;
        }
        switch ((int) idx) {
            case 0 -> {
                r[0] = base + LIMIT; // largest leaf
                r[1] = CpuidH.XEN_CPUID_SIGNATURE_EBX;
                r[2] = CpuidH.XEN_CPUID_SIGNATURE_ECX;
                r[3] = CpuidH.XEN_CPUID_SIGNATURE_EDX;
            }
            case 1 -> r[0] = version;
            case 2 -> {
                r[0] = 1; // number of hypercall-transfer pages
                r[1] = msrBase;
                // ECX: XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD is PV only.
            }
            case 3 -> time(subleaf, r);
            case 4 -> {
                if (subleaf == 0) {
                    r[0] = HVM_FLAGS;
                    r[1] = vcpu;
                    r[2] = domainId;
                }
            }
            default -> {
                // base+5: PV-specific parameters; all zero for HVM.
            }
        }
        return r;
    }

    private void time(int subleaf, int[] r) {
        switch (subleaf) {
            case 0 -> {
                r[0] = TSC_FEATURES;
                r[1] = 0; // tsc_mode TSC_MODE_DEFAULT
                r[2] = tscKhz;
                r[3] = INCARNATION;
            }
            case 1 -> {
                // offset = vtsc_offset = system time at creation = 0 in the virtual clock.
                r[0] = 0;
                r[1] = 0;
                r[2] = tscToNs.mulFrac();
                r[3] = (byte) tscToNs.shift(); // (s8) sign-extended
            }
            case 2 -> r[0] = tscKhz; // physical cpu_khz
            default -> {
            }
        }
    }
}
