package dev.hcdiff.recorder.kvm;

/** Every operation of the KVM layer that can fail, named as the user will read it. */
public enum KvmOp {
    OPEN_DEV_KVM("open(/dev/kvm)"),
    GET_API_VERSION("KVM_GET_API_VERSION"),
    CREATE_VM("KVM_CREATE_VM"),
    CHECK_EXTENSION("KVM_CHECK_EXTENSION"),
    GET_VCPU_MMAP_SIZE("KVM_GET_VCPU_MMAP_SIZE"),
    GET_SUPPORTED_CPUID("KVM_GET_SUPPORTED_CPUID"),
    CREATE_VCPU("KVM_CREATE_VCPU"),
    SET_USER_MEMORY_REGION("KVM_SET_USER_MEMORY_REGION"),
    SET_TSS_ADDR("KVM_SET_TSS_ADDR"),
    RUN("KVM_RUN"),
    GET_REGS("KVM_GET_REGS"),
    SET_REGS("KVM_SET_REGS"),
    GET_SREGS("KVM_GET_SREGS"),
    SET_SREGS("KVM_SET_SREGS"),
    SET_CPUID2("KVM_SET_CPUID2"),
    ENABLE_CAP("KVM_ENABLE_CAP"),
    GET_TSC_KHZ("KVM_GET_TSC_KHZ"),
    INTERRUPT("KVM_INTERRUPT"),
    MMAP_VCPU("mmap(kvm_run)"),
    MMAP_RAM("mmap(guest RAM)"),
    MUNMAP("munmap"),
    CLOSE("close");

    private final String displayName;

    KvmOp(String displayName) {
        this.displayName = displayName;
    }

    /** The name in messages, e.g. {@code KVM_SET_SREGS}. */
    public String displayName() {
        return displayName;
    }
}
