package dev.hcdiff.oracle.xen.abi;

/** Constants of {@code xen/include/public/arch-x86/cpuid.h} (Xen 4.17.7). */
public final class CpuidH {

    private CpuidH() {
    }

    /** cpuid.h XEN_CPUID_FIRST_LEAF: the base without Viridian. */
    public static final int XEN_CPUID_FIRST_LEAF = 0x40000000;
    /** The base when Viridian owns 0x40000000 ({@code xen/arch/x86/traps.c cpuid_hypervisor_leaves()}). */
    public static final int XEN_CPUID_VIRIDIAN_BASE = 0x40000100;
    /** cpuid.h XEN_CPUID_SIGNATURE_EBX "XenV". */
    public static final int XEN_CPUID_SIGNATURE_EBX = 0x566e6558;
    /** cpuid.h XEN_CPUID_SIGNATURE_ECX "MMXe". */
    public static final int XEN_CPUID_SIGNATURE_ECX = 0x65584d4d;
    /** cpuid.h XEN_CPUID_SIGNATURE_EDX "nVMM". */
    public static final int XEN_CPUID_SIGNATURE_EDX = 0x4d4d566e;
    /** cpuid.h XEN_CPUID_MAX_NUM_LEAVES: the default limit (hv_limit 0 in libxl). */
    public static final int XEN_CPUID_MAX_NUM_LEAVES = 5;

    /** cpuid.h XEN_HVM_CPUID_APIC_ACCESS_VIRT (host-dependent, VMX only). */
    public static final int XEN_HVM_CPUID_APIC_ACCESS_VIRT = 1 << 0;
    /** cpuid.h XEN_HVM_CPUID_X2APIC_VIRT (host-dependent, VMX only). */
    public static final int XEN_HVM_CPUID_X2APIC_VIRT = 1 << 1;
    /** cpuid.h XEN_HVM_CPUID_IOMMU_MAPPINGS (always set by 4.17). */
    public static final int XEN_HVM_CPUID_IOMMU_MAPPINGS = 1 << 2;
    /** cpuid.h XEN_HVM_CPUID_VCPU_ID_PRESENT (always; EBX = vcpu id). */
    public static final int XEN_HVM_CPUID_VCPU_ID_PRESENT = 1 << 3;
    /** cpuid.h XEN_HVM_CPUID_DOMID_PRESENT (always; ECX = domid). */
    public static final int XEN_HVM_CPUID_DOMID_PRESENT = 1 << 4;
    /** cpuid.h XEN_HVM_CPUID_EXT_DEST_ID (defined, never set by 4.17). */
    public static final int XEN_HVM_CPUID_EXT_DEST_ID = 1 << 5;
    /** cpuid.h XEN_HVM_CPUID_UPCALL_VECTOR (always). */
    public static final int XEN_HVM_CPUID_UPCALL_VECTOR = 1 << 6;

    /** The hypercall-page MSR without Viridian ({@code xen/arch/x86/traps.c guest_wrmsr_xen()}). */
    public static final int XEN_MSR_BASE = 0x40000000;
    /** The hypercall-page MSR with Viridian ("shift out of the way of Viridian architectural MSRs"). */
    public static final int XEN_MSR_VIRIDIAN_BASE = 0x40000200;
}
