#include "console.h"

#include <stdarg.h>

static inline void outb(unsigned short port, unsigned char v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

void console_putc(char c)
{
	outb(DEBUG_CONSOLE_PORT, (unsigned char)c);
}

void console_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		console_putc(s[i]);
}

void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

static void put_unsigned(unsigned long v, unsigned base)
{
	char buf[24];
	int n = 0;
	do {
		unsigned d = v % base;
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n)
		console_putc(buf[--n]);
}

static void put_signed(long v)
{
	if (v < 0) {
		console_putc('-');
		put_unsigned(-(unsigned long)v, 10);
	} else {
		put_unsigned((unsigned long)v, 10);
	}
}

void printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			console_putc(*fmt);
			continue;
		}
		int is_long = 0;
		fmt++;
		if (*fmt == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			console_puts(s ? s : "(null)");
			break;
		}
		case 'c':
			console_putc((char)va_arg(ap, int));
			break;
		case 'd':
			put_signed(is_long ? va_arg(ap, long) : va_arg(ap, int));
			break;
		case 'u':
			put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 10);
			break;
		case 'x':
			put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 16);
			break;
		case '%':
			console_putc('%');
			break;
		case '\0':
			va_end(ap);
			return;
		default:
			console_putc('%');
			console_putc(*fmt);
		}
	}
	va_end(ap);
}
