package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.recorder.guest.BadGuestImage;
import dev.hcdiff.recorder.guest.Boot;
import dev.hcdiff.recorder.guest.BootLayout;
import dev.hcdiff.recorder.guest.BootPlan;
import dev.hcdiff.recorder.guest.ElfImage;
import dev.hcdiff.recorder.kvm.Kvm;
import dev.hcdiff.recorder.kvm.KvmCap;
import dev.hcdiff.recorder.kvm.KvmCpuid2;
import dev.hcdiff.recorder.kvm.KvmException;
import dev.hcdiff.recorder.kvm.Sys;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.kvm.VmFd;
import dev.hcdiff.recorder.transport.TransportPort;
import dev.hcdiff.recorder.vmm.GuestRam;
import dev.hcdiff.recorder.vmm.LiveGuestMemory;
import dev.hcdiff.recorder.vmm.OwnedPages;
import dev.hcdiff.recorder.vmm.PendingInterrupts;
import dev.hcdiff.recorder.vmm.SyncControlRegisters;
import dev.hcdiff.recorder.vmm.Vcpu;
import dev.hcdiff.recorder.vmm.VcpuStop;
import dev.hcdiff.recorder.vmm.VirtualClock;
import dev.hcdiff.recorder.vmm.Watchdog;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceSink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Records a live guest on KVM served by one {@link Backend}: the API the CLI calls.
 *
 * <p>{@link #record} builds a one-vCPU VM, gives it the backend's CPUID leaves, lets MSR
 * accesses exit to user space, loads the ELF and boots it by the chosen protocol ({@link Boot}:
 * the guest kit's, an HVM firmware's as libxc starts hvmloader, or PVH), and runs it under a
 * {@link Watchdog} until it stops, appending every exchange to the sink and exactly one
 * {@link GuestStop} at the end, however the run ends. Any personality can serve: a hypercall page
 * the guest enables through HV_X64_MSR_HYPERCALL carries Hyper-V's x64 convention, any other Xen's
 * ({@link dev.hcdiff.recorder.transport.TransportPages}); {@link LiveConfig} configures each
 * personality for this host.
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
     * @param guestArg    passed in RDI (ELF64) or EBX (ELF32) to kit guests; unused by firmware and PVH boots
     * @param memoryBytes guest low RAM, a multiple of 2 MiB in [2 MiB, 3 GiB]
     * @param budget      longest the whole run may take (host time)
     * @param watchdog    longest one stretch of guest execution without an exit may take
     * @param maxExits    exits after which the run stops as BUDGET, positive
     * @param boot        how to start the image ({@link Boot#AUTO} decides from the image)
     * @param cmdline     the PVH command line, empty for none
     */
    public record RecordOptions(String guestName, byte[] image, long guestArg, long memoryBytes,
                                Duration budget, Duration watchdog, long maxExits, Boot boot, String cmdline) {

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
            if (boot == null) {
                throw new IllegalArgumentException("boot protocol missing (auto, kit, firmware or pvh)");
            }
            cmdline = cmdline == null ? "" : cmdline;
            if (cmdline.indexOf('\n') >= 0 || cmdline.indexOf('\r') >= 0 || cmdline.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the command line must be one line without NUL");
            }
        }

        /** Today's options for the built-in guests: the guest kit's boot ({@link Boot#KIT}), no command line. */
        public RecordOptions(String guestName, byte[] image, long guestArg, long memoryBytes, Duration budget,
                             Duration watchdog, long maxExits) {
            this(guestName, image, guestArg, memoryBytes, budget, watchdog, maxExits, Boot.KIT, "");
        }

        /** Defaults for everything but the guest; booted as a kit guest. */
        public static RecordOptions of(String guestName, byte[] image, long guestArg) {
            return new RecordOptions(guestName, image, guestArg, DEFAULT_MEMORY, DEFAULT_BUDGET, DEFAULT_WATCHDOG,
                    DEFAULT_MAX_EXITS);
        }

        /**
         * Defaults for an image file: named after the file (its last path element), booted by
         * {@code boot}, argument 0.
         *
         * @throws BadGuestImage naming the file when it cannot be read (exit code 3)
         */
        public static RecordOptions fromFile(Path file, Boot boot) {
            String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new BadGuestImage(file.toString(), "no such file");
            } catch (IOException e) {
                throw new BadGuestImage(file.toString(), "cannot read: " + e.getMessage());
            }
            return of(name, bytes, 0).withBoot(boot);
        }

        @Override
        public byte[] image() {
            return image.clone();
        }

        public RecordOptions withWatchdog(Duration d) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, budget, d, maxExits, boot, cmdline);
        }

        public RecordOptions withBudget(Duration d) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, d, watchdog, maxExits, boot, cmdline);
        }

        public RecordOptions withMaxExits(long n) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, budget, watchdog, n, boot, cmdline);
        }

        public RecordOptions withMemory(long bytes) {
            return new RecordOptions(guestName, image, guestArg, bytes, budget, watchdog, maxExits, boot, cmdline);
        }

        public RecordOptions withBoot(Boot b) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, budget, watchdog, maxExits, b, cmdline);
        }

        public RecordOptions withCmdline(String c) {
            return new RecordOptions(guestName, image, guestArg, memoryBytes, budget, watchdog, maxExits, boot, c);
        }

        public RecordOptions withGuestArg(long arg) {
            return new RecordOptions(guestName, image, arg, memoryBytes, budget, watchdog, maxExits, boot, cmdline);
        }

        /**
         * How this image boots (AUTO resolved), where its structures go and its RAM regions.
         *
         * @throws BadGuestImage            when the image cannot boot that way
         * @throws IllegalArgumentException for a command line with a protocol that takes none
         */
        public BootPlan plan() {
            return BootPlan.of(ElfImage.parse(guestName, image), image, boot, memoryBytes, cmdline);
        }
    }

    /** Header key: the boot protocol used, {@code kit}, {@code firmware} or {@code pvh}. */
    public static final String HEADER_BOOT = "boot";
    /** Header key: the entry point, {@code 0x100000}. */
    public static final String HEADER_BOOT_ENTRY = "boot.entry";
    /** Header key: the GPA of hvm_start_info (firmware and PVH boots only). */
    public static final String HEADER_BOOT_START_INFO = "boot.start-info";
    /** Header key: the PVH command line, when one was given. */
    public static final String HEADER_BOOT_CMDLINE = "boot.cmdline";
    /** Header key: the RAM regions, {@code 0x0-0x4000000,0xfc000000-0xfe000000,…} (end exclusive). */
    public static final String HEADER_MEMORY_REGIONS = "memory.regions";

    /**
     * The Xen model's toolstack configuration that matches a boot (the recorder/model contract of
     * issue 3): {@code xen.domain=xl-hvm} for firmware boots, {@code xl-pvh} for PVH boots, and
     * {@code xen.memory-bytes} = the guest's low RAM, so the model holds the HVM params, event
     * channels, xenstore and e820 that libxl gives a new domain of that kind and size; nothing for
     * kit boots (the model's default {@code bare} domain). Merge it into the backend configuration before building the backend.
     *
     * @throws BadGuestImage            when the image cannot boot as asked
     * @throws IllegalArgumentException for a command line with a protocol that takes none
     */
    public static SortedMap<String, String> xenDomainConfig(RecordOptions o) {
        TreeMap<String, String> m = new TreeMap<>();
        switch (o.plan().boot()) {
            case FIRMWARE -> m.put(XenConfig.DOMAIN, XenConfig.DomainKind.XL_HVM.configName());
            // libxl builds a PVH domain without a device model: RAM from 0, special pages reserved.
            case PVH -> m.put(XenConfig.DOMAIN, XenConfig.DomainKind.XL_PVH.configName());
            default -> { }
        }
        if (!m.isEmpty()) {
            m.put(XenConfig.MEMORY_BYTES, Long.toString(o.memoryBytes()));
        }
        return m;
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
        BootPlan plan = o.plan();
        checkBackendAgrees(o, backend);
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
                .with(HEADER_MEMORY_REGIONS, plan.regionsText())
                .with(HEADER_BOOT, plan.boot().textName())
                .with(HEADER_BOOT_ENTRY, "0x" + Long.toHexString(plan.entry()))
                .with(JournalHeader.VCPUS, Integer.toString(VCPUS))
                .with(JournalHeader.BACKEND, backend.name())
                .with("record.budget-ms", Long.toString(o.budget().toMillis()))
                .with("record.watchdog-ms", Long.toString(o.watchdog().toMillis()))
                .with("record.max-exits", Long.toString(o.maxExits()));
        if (plan.startInfo() >= 0) {
            h = h.with(HEADER_BOOT_START_INFO, "0x" + Long.toHexString(plan.startInfo()));
        }
        if (plan.cmdline() != null) {
            h = h.with(HEADER_BOOT_CMDLINE, plan.cmdline());
        }
        return h.withConfiguration(backend.configuration());
    }

    /**
     * A backend configured with a guest memory size ({@code xen.memory-bytes}) must have the one
     * the guest gets: its e820 and hvm_info would otherwise describe another machine.
     *
     * @throws IllegalArgumentException naming both sizes
     */
    static void checkBackendAgrees(RecordOptions o, Backend backend) {
        String configured = backend.configuration().get(XenConfig.MEMORY_BYTES);
        if (configured != null && !configured.equals(Long.toString(o.memoryBytes()))) {
            throw new IllegalArgumentException("the backend is configured with " + XenConfig.MEMORY_BYTES + "=" + configured
                    + " but the guest gets " + o.memoryBytes() + " bytes of memory: give both the same size");
        }
    }

    /**
     * Records the guest. Runs the vCPU on the calling thread (the watchdog signals it).
     *
     * @param consoleLine receives each line the guest prints on a console the backend owns
     */
    public static RecordResult record(RecordOptions o, Backend backend, TraceSink sink, Consumer<String> consoleLine) {
        ElfImage image = ElfImage.parse(o.guestName(), o.image);
        BootPlan plan = BootPlan.of(image, o.image, o.boot(), o.memoryBytes(), o.cmdline());
        checkBackendAgrees(o, backend);
        try (Kvm kvm = Kvm.open(KvmCap.RECORDER_REQUIRED);
             GuestRam ram = GuestRam.allocate(plan.regions());
             VmFd vm = kvm.createVm()) {
            plan.prepare(ram, image, o.image);
            vm.setTssAddr(BootLayout.TSS_ADDR);
            ram.registerWith(vm);
            // Unknown MSRs (the hypercall-page MSR among them) and ones KVM would #GP exit to us.
            vm.enableCap(KvmCap.X86_USER_SPACE_MSR, VmFd.MSR_EXIT_REASON_INVAL | VmFd.MSR_EXIT_REASON_UNKNOWN);
            try (VcpuFd vcpuFd = vm.createVcpu(0)) {
                ConsoleLines console = new ConsoleLines(consoleLine);
                LiveGuestMemory memory = new LiveGuestMemory(ram, new SyncControlRegisters(vcpuFd.kvmRun()));
                Journal journal = new Journal(backend, memory, new OwnedPages(ram), sink, new VirtualClock(), console);
                try {
                    return run(o, plan, image, kvm, ram, vcpuFd, journal);
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

    private static RecordResult run(RecordOptions o, BootPlan plan, ElfImage image, Kvm kvm, GuestRam ram,
                                    VcpuFd vcpuFd, Journal journal) {
        List<KvmCpuid2.Entry> cpuid = CpuidTable.build(kvm.supportedCpuid(), journal, vcpuFd.id());
        try (Arena arena = Arena.ofConfined()) {
            vcpuFd.setCpuid2(KvmCpuid2.of(arena, cpuid));
        }
        plan.enter(ram, vcpuFd, image.is64(), o.guestArg());
        PendingInterrupts interrupts = new PendingInterrupts(vcpuFd.id(), PendingInterrupts.kvm(vcpuFd), journal::delivered);
        Vcpu vcpu = new Vcpu(vcpuFd, ram, journal.clock(), journal, interrupts, o.maxExits());
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
