package dev.hcdiff.oracle.xen.platform;

/**
 * The host CPU vendor, which decides the hypercall instruction in Xen's hypercall page:
 * {@code vmcall} on Intel ({@code xen/arch/x86/hvm/vmx/vmx.c vmx_init_hypercall_page()}),
 * {@code vmmcall} on AMD ({@code xen/arch/x86/hvm/svm/svm.c svm_init_hypercall_page()}).
 */
public enum CpuVendor {
    INTEL("intel"),
    AMD("amd");

    private final String configName;

    CpuVendor(String configName) {
        this.configName = configName;
    }

    /** The value of {@code xen.vendor}. */
    public String configName() {
        return configName;
    }
}
