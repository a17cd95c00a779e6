package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.recorder.guest.BootLayout;
import dev.hcdiff.recorder.guest.ElfImage;
import dev.hcdiff.recorder.guest.LongModeBoot;
import dev.hcdiff.recorder.guest.ProtectedModeBoot;
import dev.hcdiff.recorder.kvm.Kvm;
import dev.hcdiff.recorder.kvm.KvmCap;
import dev.hcdiff.recorder.kvm.KvmCpuid2;
import dev.hcdiff.recorder.kvm.KvmException;
import dev.hcdiff.recorder.kvm.Sys;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.kvm.VmFd;
import dev.hcdiff.recorder.transport.InterruptDelivery;
import dev.hcdiff.recorder.transport.TransportPort;
import dev.hcdiff.recorder.vmm.GuestRam;
import dev.hcdiff.recorder.vmm.LiveGuestMemory;
import dev.hcdiff.recorder.vmm.SyncControlRegisters;
import dev.hcdiff.recorder.vmm.Vcpu;
import dev.hcdiff.recorder.vmm.VcpuStop;
import dev.hcdiff.recorder.vmm.VirtualClock;
import dev.hcdiff.recorder.vmm.Watchdog;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceSink;

import java.lang.foreign.Arena;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Records a live guest on KVM served by one {@link Backend}: the API the CLI calls.
 *
 * <p>{@link #record} builds a one-vCPU VM, gives it the backend's CPUID leaves, lets MSR
 * accesses exit to user space, loads the ELF, boots it (long mode for ELF64, flat protected mode
 * for ELF32) and runs it under a {@link Watchdog} until it stops, appending every exchange to the
 * sink and exactly one {@link GuestStop} at the end, however the run ends.
 *
 * <p>Errors: {@link dev.hcdiff.recorder.kvm.KvmUnavailable} for an environment problem (exit code
 * 4), {@link dev.hcdiff.recorder.guest.BadGuestImage} for an image that cannot be loaded (3),
 * {@link IllegalArgumentException} for bad options (2); both are thrown before anything is
 * appended. A guest that misbehaves is a GuestStop, not an exception.
 */
public final class Recorder {

    private Recorder() {
    }

    /** The recorder's name and version in journal headers. */
    public static final String NAME = "hcdiff-recorder 0.1.0";
    /** The transport, as the journal header describes it. */
    public static final String TRANSPORT = "hypercall-page: vmcall/vmmcall patched to out %al,$0x"
            + Integer.toHexString(TransportPort.PORT) + "; MSR and port I/O exits";
    /** Guests get at most 3 GiB, below the MMIO hole at 0xC0000000 (BootLayout.MAX_PDS). */
    public static final long MAX_MEMORY = 3L << 30;
    /** The VM has one vCPU. */
    static final int VCPUS = 1;

    /**
     * What to record.
     *
     * @param guestName   the name in messages and the header (built-in name or file name)
     * @param image       the ELF file's bytes
     * @param guestArg    passed in RDI (ELF64) or EBX (ELF32)
     * @param memoryBytes guest RAM, a multiple of 2 MiB in [2 MiB, 3 GiB]
     * @param budget      longest the whole run may take (host time)
     * @param watchdog    longest one stretch of guest execution without an exit may take
     * @param maxExits    exits after which the run stops as BUDGET, positive
     */
    public record RecordOptions(String guestName, byte[] image, long guestArg, long memoryBytes,
                                Duration budget, Duration watchdog, long maxExits) {

        /** 64 MiB. */
        public static final long DEFAULT_MEMORY = 64L << 20;
        public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(60);
        public static final Duration DEFAULT_WATCHDOG = Duration.ofSeconds(2);
        public static final long DEFAULT_MAX_EXITS = 50_000_000L;

        /** @throws IllegalArgumentException naming the bad option */
        public RecordOptions {
            if (guestName == null || guestName.isBlank()) {
                throw new IllegalArgumentException("guest name must not be empty");
            }
            if (image == null) {
                throw new IllegalArgumentException("guest image missing for '" + guestName + "'");
            }
            image = image.clone();
            if (memoryBytes < GuestRam.GRANULE || memoryBytes > MAX_MEMORY || memoryBytes % GuestRam.GRANULE != 0) {
                throw new IllegalArgumentException("guest memory must be a multiple of 2 MiB between 2 MiB and 3 GiB, got "
                        + memoryBytes + " bytes");
            }
            if (budget == null || budget.isNegative() || budget.isZero()) {
                throw new IllegalArgumentException("time budget must be positive, got " + budget);
            }
            if (watchdog == null || watchdog.isNegative() || watchdog.isZero()) {
                throw new IllegalArgumentException("watchdog period must be positive, got " + watchdog);
            }
            if (maxExits <= 0) {
                throw new IllegalArgumentException("exit budget must be positive, got " + maxExits);
            }
        }

        /** Defaults for everything but the guest. */
        public static RecordOptions of(String guestName, byte[] image, long guestArg) {
            return new RecordOptions(guestName, image, guestArg, DEFAULT_MEMORY, DEFAULT_BUDGET, DEFAULT_WATCHDOG,
                    DEFAULT_MAX_EXITS);
        }

        @Override
        public byte[] image() {
            return image.clone();
        }

        public RecordOptions withWatchdog(Duration d) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, budget, d, maxExits);
        }

        public RecordOptions withBudget(Duration d) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, d, watchdog, maxExits);
        }

        public RecordOptions withMaxExits(long n) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, budget, watchdog, n);
        }

        public RecordOptions withMemory(long bytes) {
            return new RecordOptions(guestName, image, guestArg, bytes, budget, watchdog, maxExits);
        }
    }

    /**
     * What a recording produced.
     *
     * @param records    records appended, the GuestStop included
     * @param hypercalls hypercall exchanges among them
     * @param stop       the final record
     */
    public record RecordResult(long records, long hypercalls, GuestStop stop) {
    }

    /**
     * The journal header for a recording of {@code o} served by {@code backend}: recorder, host
     * (kernel, CPU, KVM capabilities), transport, guest (name, SHA-256, memory, vCPUs, argument),
     * backend and its configuration under {@code config.}, and the run limits.
     *
     * @throws dev.hcdiff.recorder.kvm.KvmUnavailable when /dev/kvm cannot be opened
     */
    public static JournalHeader header(RecordOptions o, Backend backend) {
        StringJoiner caps = new StringJoiner(",");
        // The same capabilities record() needs: a host that lacks one fails here, before a journal exists.
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED)) {
            for (Map.Entry<KvmCap, Integer> e : kvm.capabilities().entrySet()) {
                caps.add(e.getKey().capName() + "=" + e.getValue());
            }
        }
        JournalHeader h = JournalHeader.create()
                .with(JournalHeader.RECORDER, NAME)
                .with(JournalHeader.HOST_KERNEL, HostFacts.kernelRelease())
                .with(JournalHeader.HOST_KVM, "api=" + Kvm.API_VERSION + " " + caps)
                .with("host.cpu", HostFacts.cpuModel())
                .with("host.vendor", HostFacts.cpuVendor())
                .with(JournalHeader.TRANSPORT, TRANSPORT)
                .with(JournalHeader.GUEST, o.guestName())
                .with(JournalHeader.GUEST_SHA256, sha256(o.image))
                .with("guest.arg", Long.toString(o.guestArg()))
                .with(JournalHeader.MEMORY_BYTES, Long.toString(o.memoryBytes()))
                .with(JournalHeader.VCPUS, Integer.toString(VCPUS))
                .with(JournalHeader.BACKEND, backend.name())
                .with("record.budget-ms", Long.toString(o.budget().toMillis()))
                .with("record.watchdog-ms", Long.toString(o.watchdog().toMillis()))
                .with("record.max-exits", Long.toString(o.maxExits()));
        return h.withConfiguration(backend.configuration());
    }

    /**
     * Records the guest. Runs the vCPU on the calling thread (the watchdog signals it).
     *
     * @param consoleLine receives each line the guest prints on a console the backend owns
     */
    public static RecordResult record(RecordOptions o, Backend backend, TraceSink sink, Consumer<String> consoleLine) {
        ElfImage image = ElfImage.parse(o.guestName(), o.image);
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED);
             GuestRam ram = GuestRam.allocate(o.memoryBytes());
             VmFd vm = kvm.createVm()) {
            image.loadInto(ram, o.image, BootLayout.RESERVED_END);
            vm.setTssAddr(BootLayout.TSS_ADDR);
            ram.registerWith(vm, 0);
            // Unknown MSRs (the hypercall-page MSR among them) and ones KVM would #GP exit to us.
            vm.enableCap(KvmCap.X86_USER_SPACE_MSR, VmFd.MSR_EXIT_REASON_INVAL | VmFd.MSR_EXIT_REASON_UNKNOWN);
            try (VcpuFd vcpuFd = vm.createVcpu(0)) {
                ConsoleLines console = new ConsoleLines(consoleLine);
                LiveGuestMemory memory = new LiveGuestMemory(ram, new SyncControlRegisters(vcpuFd.kvmRun()));
                Journal journal = new Journal(backend, memory, sink, new VirtualClock(), console);
                try {
                    return run(o, image, kvm, ram, vcpuFd, journal);
                } catch (RuntimeException e) {
                    if (!journal.stopped() && journal.nextSeq() > 0) {
                        // The journal has begun: it still ends with its one GuestStop.
                        journal.stop(new GuestStop(journal.nextSeq(), journal.clock().now(),
                                e instanceof KvmException ? GuestStop.StopReason.KVM_ERROR
                                        : GuestStop.StopReason.UNHANDLED_EXIT,
                                0, 0, oneLine("recorder error: " + e.getMessage())));
                    }
                    throw e;
                }
            }
        }
    }

    private static RecordResult run(RecordOptions o, ElfImage image, Kvm kvm, GuestRam ram, VcpuFd vcpuFd,
                                    Journal journal) {
        List<KvmCpuid2.Entry> cpuid = CpuidTable.build(kvm.supportedCpuid(), journal, vcpuFd.id());
        try (Arena arena = Arena.ofConfined()) {
            vcpuFd.setCpuid2(KvmCpuid2.of(arena, cpuid));
        }
        if (image.is64()) {
            LongModeBoot.boot(ram, vcpuFd, image.entry(), o.guestArg());
        } else {
            ProtectedModeBoot.boot(ram, vcpuFd, image.entry(), o.guestArg());
        }
        Vcpu vcpu = new Vcpu(vcpuFd, ram, journal.clock(), journal, InterruptDelivery.NONE, o.maxExits());
        VcpuStop stop;
        try (Watchdog watchdog = new Watchdog(vcpuFd.kvmRun(), Sys.pthreadSelf(), o.watchdog(), o.budget())) {
            watchdog.start();
            stop = vcpu.runUntilStop(watchdog);
        } finally {
            vcpu.close();
        }
        GuestStop last = journal.stop(vcpuFd.id(), stop);
        return new RecordResult(last.seq() + 1, journal.hypercalls(), last);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
