package dev.hcdiff.cli;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.recorder.CleanEnd;
import dev.hcdiff.recorder.LiveConfig;
import dev.hcdiff.recorder.Recorder;
import dev.hcdiff.recorder.guest.BuiltinGuests;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceSink;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code hcdiff record}: run a guest under KVM and journal every hypercall. */
@Command(name = "record",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Run a guest under /dev/kvm and record every hypercall it makes.",
        description = {
                "Boots the guest in a micro-VMM on /dev/kvm, serves it with a hypervisor personality (the reference Xen model by default) and writes every exchange to a journal: each hypercall with the guest memory it read and wrote, the CPUID leaves and MSR, port and MMIO accesses the guest made of its hypervisor, and why the guest stopped. The guest's console output (the 0xe9 debug port, console_io) is printed as it runs.",
                "",
                "The guest is a built-in one (--guest hello), a third-party one (--guest hvmloader: Xen's own HVM firmware, unmodified from Debian 12, obtained and checked as 'hcdiff guests fetch' does, on first use), or any ELF image (--guest-file PATH). 'hcdiff guests list' shows them all.",
                "",
                "Boot protocols (--boot): 'kit' is the built-in guests' own (ELF64 in long mode, ELF32 in flat protected mode, the argument in RDI or EBX); 'firmware' starts an ELF32 as Xen's domain builder starts hvmloader (32-bit flat protected mode at its ELF entry, EBX = hvm_start_info, the hvm_info_table at 0x9F800, the xenstore and console pages); 'pvh' enters an ELF at its XEN_ELFNOTE_PHYS32_ENTRY note with the PVH protocol; 'auto' (the default) is kit for built-in guests, else pvh when the note is there and firmware for other ELF32 images. For firmware and PVH boots the Xen model plays a domain fresh from 'xl create' without a device model (xen.domain=xl-hvm, sized to --memory): its HVM params, the xenstore and console event channels, a small xenstored, its e820.",
                "",
                "Backends (--backend), each a whole hypervisor the live guest meets:",
                "  xen            the reference Xen model (default; hello, spin, hvmloader)",
                "  xen-on-hyperv  Xen through the Xen-to-Hyper-V adapter on the Hyper-V model",
                "  hyperv         the Hyper-V (TLFS) model (hv-hello)",
                "  hyperv-on-xen  Hyper-V as Xen's viridian serves it (hv-hello)",
                "Hyper-V personalities get an event port at connection 0x1 (VP 0, SINT 2), as a root partition would preconfigure one.",
                "The --backend line below lists the names this build accepts. Each gets this host's CPU vendor and TSC frequency and one vCPU; the journal header names the backend and carries the configuration of the pair a replay builds. A guest under a personality of the other kind finds no hypervisor it knows, says so and halts; the recording shows it.",
                "",
                "Exit code: 0 when the guest ended cleanly: a Xen guest's SCHEDOP_shutdown, or a guest that printed 'hcdiff-guest: done' as its last console line and then halted with interrupts off (how the kit's Hyper-V guests stop: Hyper-V has no shutdown hypercall). 1 for any other end: a halt without that line, a triple fault, a vmcall, the watchdog.",
                "",
                "A guest that misbehaves (runs away, triple-faults, executes vmcall directly, touches memory outside its RAM) is stopped by the watchdog and reported: the journal is still complete and the exit code is 1. A journal stays readable up to its last whole record even if hcdiff itself is killed.",
                "",
                "Examples:",
                "  hcdiff record --guest hello --out /tmp/hello.journal",
                "  hcdiff record --guest spin --guest-arg 1000 --out /tmp/spin.journal --quiet",
                "  hcdiff record --guest hello --out hello.hct     (write the text form directly)",
                "  hcdiff record --guest hv-hello --backend hyperv --out /tmp/hv-hello.journal",
                "  hcdiff record --guest hello --backend xen-on-hyperv --out /tmp/hello-adapter.journal",
                "  hcdiff record --guest hvmloader --out /tmp/hvmloader.journal",
                "  hcdiff record --guest-file fw.elf --boot firmware --out fw.journal",
        })
final class RecordCommand implements Callable<Integer> {

    /** Exactly one of --guest and --guest-file. */
    static final class GuestOptions {
        @Option(names = "--guest", paramLabel = "NAME", required = true,
                description = "Guest to run: built-in (${COMPLETION-CANDIDATES}) or third-party (hvmloader).",
                completionCandidates = GuestNames.class)
        String guest;

        @Option(names = "--guest-file", paramLabel = "PATH", required = true,
                description = "An ELF image to run instead of a named guest.")
        Path guestFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    GuestOptions which;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Journal directory to create (a Chronicle Queue); a path ending in .hct writes the text form.")
    Path out;

    @Option(names = "--force", description = "Replace an existing journal at --out.")
    boolean force;

    @Option(names = "--boot", paramLabel = "PROTOCOL", defaultValue = "auto",
            description = "How to start the image: auto, kit, firmware or pvh (see above). Default: ${DEFAULT-VALUE}.")
    String boot;

    @Option(names = "--cmdline", paramLabel = "TEXT", defaultValue = "",
            description = "Command line handed to a PVH guest in hvm_start_info.")
    String cmdline;

    @Option(names = "--guest-arg", paramLabel = "N", defaultValue = "0",
            description = "Number passed to a kit guest at entry (RDI or EBX), e.g. the call count of 'spin'. Default: ${DEFAULT-VALUE}.")
    long guestArg;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = Backends.XEN,
            completionCandidates = BackendNames.class,
            description = "Personality that serves the guest live: ${COMPLETION-CANDIDATES} (see above). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--memory", paramLabel = "MIB", defaultValue = "64",
            description = "Guest RAM in MiB, a multiple of 2. Default: ${DEFAULT-VALUE}.")
    long memoryMib;

    @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "60",
            description = "Stop the guest after this long (host time). Default: ${DEFAULT-VALUE}.")
    long budgetSeconds;

    @Option(names = "--watchdog", paramLabel = "MS", defaultValue = "2000",
            description = "Stop the guest when it runs this long without an exit. Default: ${DEFAULT-VALUE}.")
    long watchdogMs;

    @Option(names = {"-q", "--quiet"}, description = "Do not echo the guest's console.")
    boolean quiet;

    @Mixin
    GuestCacheOption cache;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The backends this build has ({@link Backends#names()}), for --help. */
    static final class BackendNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Backends.names().iterator();
        }
    }

    /** The built-in guests, for --help. */
    static final class GuestNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BuiltinGuests.names().iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        checkLimits(memoryMib, budgetSeconds, watchdogMs);
        checkBackendName(backend);
        if (out.toString().endsWith(".hct")) {
            OutputTargets.checkFile(out, "--out");
        } else {
            OutputTargets.checkDirectory(out, "--out");
        }
        // After the cheap checks: a third-party guest may be downloaded here.
        GuestChoice.Resolved guest = GuestChoice.resolve(which.guest, which.guestFile, boot, cache,
                spec.commandLine().getErr());
        Recorder.RecordOptions options;
        SortedMap<String, String> domain;
        try {
            options = guest.options().withGuestArg(guestArg).withCmdline(cmdline).withMemory(memoryMib << 20)
                    .withBudget(Duration.ofSeconds(budgetSeconds)).withWatchdog(Duration.ofMillis(watchdogMs));
            // Firmware and PVH boots meet Xen as a domain fresh from xl: xen.domain=xl-hvm and its memory size.
            domain = Recorder.xenDomainConfig(options);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        Backend served = backend(backend, domain);
        PrintWriter stdout = spec.commandLine().getOut();
        // The last line decides a clean halt (CleanEnd), so it is kept even with --quiet.
        String[] lastLine = {null};
        Recorder.RecordResult result = record(options, served, out, force, guest.headerFields(), line -> {
            lastLine[0] = line;
            if (!quiet) {
                stdout.println("guest| " + line);
                stdout.flush();
            }
        });
        stdout.printf("recorded %d records (%d hypercalls) into %s%n", result.records(), result.hypercalls(), out);
        GuestStop stop = result.stop();
        stdout.printf("guest stopped: %s (%s) at rip 0x%x%n", stop.reason().textName(), stop.detail(), stop.rip());
        return CleanEnd.isClean(stop, lastLine[0]) ? ExitCodes.OK : ExitCodes.FINDING;
    }

    /** @throws CliException a usage error naming the option out of range */
    static void checkLimits(long memoryMib, long budgetSeconds, long watchdogMs) {
        if (memoryMib <= 0 || memoryMib > Recorder.MAX_MEMORY >> 20) {
            throw CliException.usage("--memory must be between 2 and " + (Recorder.MAX_MEMORY >> 20) + " MiB, got " + memoryMib);
        }
        if (budgetSeconds <= 0 || watchdogMs <= 0) {
            throw CliException.usage("--budget and --watchdog must be positive");
        }
    }

    /** Options for a built-in guest booted the guest kit's way (the demo). */
    static Recorder.RecordOptions options(String guest, long guestArg, long memoryMib, long budgetSeconds, long watchdogMs) {
        checkLimits(memoryMib, budgetSeconds, watchdogMs);
        byte[] image;
        try {
            image = BuiltinGuests.load(guest);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        try {
            return new Recorder.RecordOptions(guest, image, guestArg, memoryMib << 20,
                    Duration.ofSeconds(budgetSeconds), Duration.ofMillis(watchdogMs), Recorder.RecordOptions.DEFAULT_MAX_EXITS);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** The personality named, configured for this host (the stubs its CPU vendor gets, its TSC). */
    static Backend backend(String name) {
        return backend(name, new TreeMap<>());
    }

    /**
     * The same, with the guest's domain configuration ({@link Recorder#xenDomainConfig}) added:
     * {@link LiveConfig#of} for any name {@link Backends#names()} lists.
     *
     * @throws CliException a usage error listing the names for an unknown one
     */
    static Backend backend(String name, SortedMap<String, String> domain) {
        checkBackendName(name);
        TreeMap<String, String> config = new TreeMap<>(LiveConfig.of(name));
        config.putAll(domain);
        try {
            return Backends.create(name, config);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--backend " + name + ": " + e.getMessage());
        }
    }

    /** @throws CliException a usage error listing the known names */
    static void checkBackendName(String name) {
        if (!Backends.names().contains(name)) {
            throw CliException.usage("--backend " + name + ": unknown backend (known: "
                    + String.join(", ", Backends.names()) + ")");
        }
    }

    /**
     * Adds the configuration of the pair a replay of this recording builds ({@link Backends#pairFor}:
     * for a Xen-served trace the adapter's Hyper-V partition, for a Hyper-V-served one the other
     * Hyper-V personality once this build pairs them), so a replay rebuilds both exactly: the
     * served backend's own entries win. A trace no pair exists for yet keeps its own configuration only.
     */
    static JournalHeader withPairedConfiguration(JournalHeader header, Backend served) {
        JournalHeader own = header.withConfiguration(served.configuration());
        Backends.Pair pair;
        try {
            pair = Backends.pairFor(own);
        } catch (IllegalArgumentException noPairYet) {
            return own;
        }
        return own.withConfiguration(pair.reference().configuration()).withConfiguration(pair.translated().configuration());
    }

    /** Records into a journal directory or .hct file; refuses to overwrite without force. */
    static Recorder.RecordResult record(Recorder.RecordOptions options, Backend served, Path out, boolean force,
                                        java.util.function.Consumer<String> console) throws IOException {
        return record(options, served, out, force, Map.of(), console);
    }

    /** The same, with {@code headerFields} (where a third-party guest came from) added to the journal header. */
    static Recorder.RecordResult record(Recorder.RecordOptions options, Backend served, Path out, boolean force,
                                        Map<String, String> headerFields,
                                        java.util.function.Consumer<String> console) throws IOException {
        JournalHeader header = withPairedConfiguration(Recorder.header(options, served), served);
        for (var e : headerFields.entrySet()) {
            header = header.with(e.getKey(), e.getValue());
        }
        try (TraceSink sink = Traces.create(out, header, force)) {
            return Recorder.record(options, served, sink, console);
        } catch (FileAlreadyExistsException e) {
            throw CliException.usage(out + " already exists and is not empty; choose another --out or add --force");
        }
    }
}
