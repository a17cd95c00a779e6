package dev.hcdiff.recorder.kvm;

/**
 * KVM ioctl request numbers for x86-64, from {@code <linux/kvm.h>} ({@code KVMIO} = 0xAE). The
 * {@code _IO*} expression of each is in its comment; scripts/kvm-probe prints the computed values
 * and KvmLayoutTest compares them (jextract cannot expand these function-like macros).
 */
public final class KvmIoctls {

    private KvmIoctls() {
    }

    /** {@code _IO(KVMIO, 0x00)} */
    public static final long KVM_GET_API_VERSION = 0xae00L;
    /** {@code _IO(KVMIO, 0x01)}; returns a VM fd */
    public static final long KVM_CREATE_VM = 0xae01L;
    /** {@code _IO(KVMIO, 0x03)} */
    public static final long KVM_CHECK_EXTENSION = 0xae03L;
    /** {@code _IO(KVMIO, 0x04)}; size of the vCPU's kvm_run mapping */
    public static final long KVM_GET_VCPU_MMAP_SIZE = 0xae04L;
    /** {@code _IOWR(KVMIO, 0x05, struct kvm_cpuid2)} */
    public static final long KVM_GET_SUPPORTED_CPUID = 0xc008ae05L;
    /** {@code _IO(KVMIO, 0x41)} */
    public static final long KVM_CREATE_VCPU = 0xae41L;
    /** {@code _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)} */
    public static final long KVM_SET_USER_MEMORY_REGION = 0x4020ae46L;
    /** {@code _IO(KVMIO, 0x47)} */
    public static final long KVM_SET_TSS_ADDR = 0xae47L;
    /** {@code _IO(KVMIO, 0x80)} */
    public static final long KVM_RUN = 0xae80L;
    /** {@code _IOR(KVMIO, 0x81, struct kvm_regs)} */
    public static final long KVM_GET_REGS = 0x8090ae81L;
    /** {@code _IOW(KVMIO, 0x82, struct kvm_regs)} */
    public static final long KVM_SET_REGS = 0x4090ae82L;
    /** {@code _IOR(KVMIO, 0x83, struct kvm_sregs)} */
    public static final long KVM_GET_SREGS = 0x8138ae83L;
    /** {@code _IOW(KVMIO, 0x84, struct kvm_sregs)} */
    public static final long KVM_SET_SREGS = 0x4138ae84L;
    /** {@code _IOW(KVMIO, 0x90, struct kvm_cpuid2)} */
    public static final long KVM_SET_CPUID2 = 0x4008ae90L;
    /** {@code _IOW(KVMIO, 0xa3, struct kvm_enable_cap)} */
    public static final long KVM_ENABLE_CAP = 0x4068aea3L;
    /** {@code _IO(KVMIO, 0xa3)}: same nr as ENABLE_CAP, no direction or size */
    public static final long KVM_GET_TSC_KHZ = 0xaea3L;
    /** {@code _IOW(KVMIO, 0x86, struct kvm_interrupt)} (kvm.md: 0x4004ae86) */
    public static final long KVM_INTERRUPT = 0x4004ae86L;
}
