/*
 * kvm-probe: prints the x86-64 sizes, offsets and ioctl numbers of <linux/kvm.h> that the
 * recorder's java.lang.foreign layouts hard-code (recorder/src/main/java/dev/hcdiff/recorder/kvm).
 * KvmLayoutTest holds a copy of this output; rerun after a kernel-header change and compare:
 *
 *   make -C scripts/kvm-probe run
 *
 * Each line is "name value" with the value in decimal (sizes, offsets) or hex (ioctls).
 */
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>

#define SIZE(t)        printf("sizeof(%s) %zu\n", #t, sizeof(t))
#define OFF(t, f)      printf("offsetof(%s, %s) %zu\n", #t, #f, offsetof(t, f))
#define IOCTL(n)       printf("%s 0x%lx\n", #n, (unsigned long)(n))

int main(void)
{
	SIZE(struct kvm_run);
	OFF(struct kvm_run, request_interrupt_window);
	OFF(struct kvm_run, immediate_exit);
	OFF(struct kvm_run, exit_reason);
	OFF(struct kvm_run, ready_for_interrupt_injection);
	OFF(struct kvm_run, if_flag);
	OFF(struct kvm_run, flags);
	OFF(struct kvm_run, cr8);
	OFF(struct kvm_run, apic_base);
	OFF(struct kvm_run, io.direction);
	OFF(struct kvm_run, io.size);
	OFF(struct kvm_run, io.port);
	OFF(struct kvm_run, io.count);
	OFF(struct kvm_run, io.data_offset);
	OFF(struct kvm_run, mmio.phys_addr);
	OFF(struct kvm_run, mmio.data);
	OFF(struct kvm_run, mmio.len);
	OFF(struct kvm_run, mmio.is_write);
	OFF(struct kvm_run, msr.error);
	OFF(struct kvm_run, msr.reason);
	OFF(struct kvm_run, msr.index);
	OFF(struct kvm_run, msr.data);
	OFF(struct kvm_run, fail_entry.hardware_entry_failure_reason);
	OFF(struct kvm_run, internal.suberror);
	OFF(struct kvm_run, internal.ndata);
	OFF(struct kvm_run, internal.data);
	OFF(struct kvm_run, system_event.type);
	OFF(struct kvm_run, kvm_valid_regs);
	OFF(struct kvm_run, kvm_dirty_regs);
	OFF(struct kvm_run, s.regs);
	OFF(struct kvm_run, s.regs.sregs);
	OFF(struct kvm_run, s.regs.events);

	SIZE(struct kvm_regs);
	OFF(struct kvm_regs, rax);
	OFF(struct kvm_regs, rbx);
	OFF(struct kvm_regs, rcx);
	OFF(struct kvm_regs, rdx);
	OFF(struct kvm_regs, rsi);
	OFF(struct kvm_regs, rdi);
	OFF(struct kvm_regs, rsp);
	OFF(struct kvm_regs, rbp);
	OFF(struct kvm_regs, r8);
	OFF(struct kvm_regs, r9);
	OFF(struct kvm_regs, r10);
	OFF(struct kvm_regs, r15);
	OFF(struct kvm_regs, rip);
	OFF(struct kvm_regs, rflags);

	SIZE(struct kvm_segment);
	OFF(struct kvm_segment, base);
	OFF(struct kvm_segment, limit);
	OFF(struct kvm_segment, selector);
	OFF(struct kvm_segment, type);
	OFF(struct kvm_segment, present);
	OFF(struct kvm_segment, dpl);
	OFF(struct kvm_segment, db);
	OFF(struct kvm_segment, s);
	OFF(struct kvm_segment, l);
	OFF(struct kvm_segment, g);
	OFF(struct kvm_segment, avl);
	OFF(struct kvm_segment, unusable);

	SIZE(struct kvm_dtable);
	SIZE(struct kvm_sregs);
	OFF(struct kvm_sregs, cs);
	OFF(struct kvm_sregs, ds);
	OFF(struct kvm_sregs, es);
	OFF(struct kvm_sregs, fs);
	OFF(struct kvm_sregs, gs);
	OFF(struct kvm_sregs, ss);
	OFF(struct kvm_sregs, tr);
	OFF(struct kvm_sregs, ldt);
	OFF(struct kvm_sregs, gdt);
	OFF(struct kvm_sregs, idt);
	OFF(struct kvm_sregs, cr0);
	OFF(struct kvm_sregs, cr2);
	OFF(struct kvm_sregs, cr3);
	OFF(struct kvm_sregs, cr4);
	OFF(struct kvm_sregs, cr8);
	OFF(struct kvm_sregs, efer);
	OFF(struct kvm_sregs, apic_base);
	OFF(struct kvm_sregs, interrupt_bitmap);

	SIZE(struct kvm_cpuid2);
	SIZE(struct kvm_cpuid_entry2);
	OFF(struct kvm_cpuid_entry2, function);
	OFF(struct kvm_cpuid_entry2, index);
	OFF(struct kvm_cpuid_entry2, flags);
	OFF(struct kvm_cpuid_entry2, eax);
	OFF(struct kvm_cpuid_entry2, ebx);
	OFF(struct kvm_cpuid_entry2, ecx);
	OFF(struct kvm_cpuid_entry2, edx);

	SIZE(struct kvm_userspace_memory_region);
	OFF(struct kvm_userspace_memory_region, slot);
	OFF(struct kvm_userspace_memory_region, flags);
	OFF(struct kvm_userspace_memory_region, guest_phys_addr);
	OFF(struct kvm_userspace_memory_region, memory_size);
	OFF(struct kvm_userspace_memory_region, userspace_addr);

	SIZE(struct kvm_enable_cap);
	OFF(struct kvm_enable_cap, cap);
	OFF(struct kvm_enable_cap, flags);
	OFF(struct kvm_enable_cap, args);

	IOCTL(KVM_GET_API_VERSION);
	IOCTL(KVM_CREATE_VM);
	IOCTL(KVM_CHECK_EXTENSION);
	IOCTL(KVM_GET_VCPU_MMAP_SIZE);
	IOCTL(KVM_GET_SUPPORTED_CPUID);
	IOCTL(KVM_CREATE_VCPU);
	IOCTL(KVM_SET_USER_MEMORY_REGION);
	IOCTL(KVM_SET_TSS_ADDR);
	IOCTL(KVM_RUN);
	IOCTL(KVM_GET_REGS);
	IOCTL(KVM_SET_REGS);
	IOCTL(KVM_GET_SREGS);
	IOCTL(KVM_SET_SREGS);
	IOCTL(KVM_SET_CPUID2);
	IOCTL(KVM_ENABLE_CAP);
	IOCTL(KVM_GET_TSC_KHZ);
	return 0;
}
