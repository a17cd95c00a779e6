/* Guest kit console: bytes to the 0xE9 debug port (Xen and Bochs "port E9 hack"). */
#ifndef HCDIFF_CONSOLE_H
#define HCDIFF_CONSOLE_H

/* Xen's HVM debug console port (xen/arch/x86/hvm/hvm.c: hvm_print_line, registered on 0xe9). */
#define DEBUG_CONSOLE_PORT 0xe9

void console_putc(char c);
void console_write(const char *s, unsigned long len);
void console_puts(const char *s);
/* A tiny printf: %s %c %d %u %x %ld %lu %lx and %%. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
