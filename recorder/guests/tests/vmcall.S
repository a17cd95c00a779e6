/* Test guest: executes vmcall directly (no hypercall page), as Linux does since the
 * CVE-2024-53241 fix. On these hosts vmcall never returns (kvm.md): the recorder must stop it
 * as VMCALL at RIP = entry + 5 (after the 5-byte `mov $imm32,%eax`). */
	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	mov	$17, %eax		/* __HYPERVISOR_xen_version */
	vmcall
	hlt
