/*
 * kvm-exit-baseline: the C floor for a hypercall served in user space on this host
 * (shared/docs/kvm.md, "The floor"). One vCPU loops on `out %al,$0xe5; jmp`; every exit is
 * answered by writing RAX through sync regs (no GET/SET_REGS ioctl), as the recorder does.
 * Prints the mean ns per call over N calls (default 100000).
 *
 *   gcc -O2 -o kvm-exit-baseline kvm-exit-baseline.c && ./kvm-exit-baseline [N] [stub]
 *
 * Modes:
 *   (default)  real mode, the out and the jmp on one page: kvm.md's floor.
 *   stub       the recorder's guest shape: long mode with identity paging (as LongModeBoot),
 *              sync regs and sregs, and the loop calls a stub on another page
 *              (`call stub; jmp` / `stub: out %al,$0xe5; ret`), as a guest calls its
 *              hypercall page. On PVM hosts touching more pages per entry costs guest time,
 *              so this is the floor to compare a recorded guest with.
 *
 * Output (one line, parsed by scripts/bench-recorder):
 *   "c-floor calls=N ns_per_call=X" or "c-floor-stub calls=N ns_per_call=X"
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PORT 0xe5		/* the recorder's transport port (recorder/.../transport/TransportPort.java) */
#define RAM_SIZE 0x400000	/* 4 MiB */
#define REAL_CODE_GPA 0x1000	/* real mode: inside the first 64 KiB */
#define CODE_GPA 0x100000	/* 1 MiB, where the recorder's guests load */
#define STUB_GPA 0x101000	/* the next page, like the guest kit's hypercall page */
#define GDT_GPA 0x1000		/* LongModeBoot's layout (recorder/.../guest/BootLayout.java) */
#define PML4_GPA 0x2000
#define PDPT_GPA 0x3000
#define PD_GPA 0x4000
#define STACK_TOP 0x80000

static void die(const char *what)
{
	fprintf(stderr, "kvm-exit-baseline: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 100000;
	int stub = argc > 2 && strcmp(argv[2], "stub") == 0;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap ram");
	if (stub) {
		/* 1: call STUB_GPA (rel32 = 0x1000 - 5) ; jmp 1b    stub: out %al,$PORT ; ret */
		const uint8_t loop[] = { 0xe8, 0xfb, 0x0f, 0x00, 0x00, 0xeb, 0xf9 };
		const uint8_t stub_code[] = { 0xe6, PORT, 0xc3 };
		memcpy(ram + CODE_GPA, loop, sizeof loop);
		memcpy(ram + STUB_GPA, stub_code, sizeof stub_code);
	} else {
		/* 1: out %al,$PORT ; jmp 1b */
		const uint8_t code[] = { 0xe6, PORT, 0xeb, 0xfc };
		memcpy(ram + REAL_CODE_GPA, code, sizeof code);
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE, .userspace_addr = (uint64_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	if (stub) {
		/* Flat GDT and identity 2 MiB pages, as LongModeBoot sets them (Intel SDM vol. 3 ch. 3-4). */
		uint64_t *gdt = (uint64_t *)(ram + GDT_GPA);
		gdt[1] = 0x00af9b000000ffffull;	/* 64-bit code */
		gdt[2] = 0x00cf93000000ffffull;	/* data */
		*(uint64_t *)(ram + PML4_GPA) = PDPT_GPA | 3;
		*(uint64_t *)(ram + PDPT_GPA) = PD_GPA | 3;
		for (uint64_t i = 0; i < RAM_SIZE >> 21; i++)
			((uint64_t *)(ram + PD_GPA))[i] = (i << 21) | 0x83;
		struct kvm_segment cs64 = { .limit = 0xffffffff, .selector = 8, .type = 11, .present = 1,
					    .s = 1, .l = 1, .g = 1 };
		struct kvm_segment flat = { .limit = 0xffffffff, .selector = 16, .type = 3, .present = 1,
					    .db = 1, .s = 1, .g = 1 };
		sregs.cs = cs64;
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat;
		sregs.gdt.base = GDT_GPA;
		sregs.gdt.limit = 3 * 8 - 1;
		sregs.cr0 = 0x80050033;	/* PE MP ET NE WP PG */
		sregs.cr3 = PML4_GPA;
		sregs.cr4 = 0x620;	/* PAE OSFXSR OSXMMEXCPT */
		sregs.efer = 0x500;	/* LME LMA */
	} else {
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
	}
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = stub ? CODE_GPA : REAL_CODE_GPA, .rsp = STACK_TOP, .rflags = 2 };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	/* The recorder also syncs sregs (it decodes the guest's mode at every call). */
	run->kvm_valid_regs = stub ? KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS : KVM_SYNC_X86_REGS;
	uint64_t start = 0;
	for (long i = -1000; i < calls; i++) {	/* 1000 warm-up calls */
		if (i == 0)
			start = now_ns();
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != PORT) {
			fprintf(stderr, "kvm-exit-baseline: unexpected exit %u (port 0x%x)\n", run->exit_reason,
				run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
			return 1;
		}
		run->s.regs.regs.rax = (uint64_t)i;	/* the answer, as a hypercall result */
		run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	}
	uint64_t elapsed = now_ns() - start;
	printf("%s calls=%ld ns_per_call=%.1f\n", stub ? "c-floor-stub" : "c-floor", calls, (double)elapsed / calls);
	return 0;
}
