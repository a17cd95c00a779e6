package dev.hcdiff.recorder.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls the KVM layer needs, as static final downcall handles (style.md §4.3). Every
 * call that reports failure through {@code errno} captures it into a caller-supplied segment
 * ({@link #newErrnoSlot}); read it with {@link #errno}. The handles are only called with
 * {@code invokeExact}, so a call allocates nothing.
 */
public final class Sys {

    private Sys() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    /** Layout of the captured call state; holds {@code errno}. */
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** {@code <fcntl.h>} O_RDWR. */
    public static final int O_RDWR = 2;
    /** {@code <fcntl.h>} O_CLOEXEC (x86-64: 02000000). */
    public static final int O_CLOEXEC = 0x80000;
    /** {@code <sys/mman.h>} PROT_READ | PROT_WRITE. */
    public static final int PROT_READ_WRITE = 0x1 | 0x2;
    /** {@code <sys/mman.h>} MAP_SHARED. */
    public static final int MAP_SHARED = 0x01;
    /** {@code <sys/mman.h>} MAP_PRIVATE. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code <sys/mman.h>} MAP_ANONYMOUS (x86-64). */
    public static final int MAP_ANONYMOUS = 0x20;
    /** {@code <sys/mman.h>} MAP_NORESERVE (x86-64): guest RAM is touched lazily. */
    public static final int MAP_NORESERVE = 0x4000;
    /** {@code <sys/mman.h>} MAP_FAILED = (void *) -1. */
    public static final long MAP_FAILED = -1L;

    /** {@code int open(const char *path, int flags, ...)}: variadic, called with no mode (no O_CREAT). */
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    /** {@code int close(int fd)}. */
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** {@code int ioctl(int fd, unsigned long request, ...)} with a pointer argument. */
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    /** {@code int ioctl(int fd, unsigned long request, ...)} with an integer argument. */
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    /** {@code void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)}. */
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    /** {@code int munmap(void *addr, size_t len)}. */
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    /** {@code pthread_t pthread_self(void)}; pthread_t is an unsigned long on Linux/glibc. */
    private static final MethodHandle PTHREAD_SELF = downcall("pthread_self",
            FunctionDescriptor.of(JAVA_LONG));
    /** {@code int pthread_kill(pthread_t thread, int sig)}; returns the error number, no errno. */
    private static final MethodHandle PTHREAD_KILL = downcall("pthread_kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));

    // Binding native functions is restricted: the launcher passes --enable-native-access.
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new KvmUnavailable("libc has no symbol '" + name + "': the recorder needs glibc on Linux x86-64"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A segment for captured errno; allocate one per thread that makes calls. */
    public static MemorySegment newErrnoSlot(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno captured by the last call made with {@code slot}. */
    public static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    public static int open(MemorySegment errno, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(MemorySegment errno, int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the mapping's address, or {@link #MAP_FAILED} */
    public static long mmap(MemorySegment errno, long len, int prot, int flags, int fd, long offset) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, len, prot, flags, fd, offset);
            return p.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(MemorySegment errno, long address, long len) {
        try {
            return (int) MUNMAP.invokeExact(errno, MemorySegment.ofAddress(address), len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long pthreadSelf() {
        try {
            return (long) PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return 0, or the error number (ESRCH, EINVAL) */
    public static int pthreadKill(long thread, int signal) {
        try {
            return (int) PTHREAD_KILL.invokeExact(thread, signal);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed: " + t, t);
    }
}
