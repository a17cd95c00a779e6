package dev.hcdiff.cli;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.recorder.HostFacts;
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
                "A guest that misbehaves (runs away, triple-faults, executes vmcall directly, touches memory outside its RAM) is stopped by the watchdog and reported: the journal is still complete and the exit code is 1. A journal stays readable up to its last whole record even if hcdiff itself is killed.",
                "",
                "Examples:",
                "  hcdiff record --guest hello --out /tmp/hello.journal",
                "  hcdiff record --guest spin --guest-arg 1000 --out /tmp/spin.journal --quiet",
                "  hcdiff record --guest hello --out hello.hct     (write the text form directly)",
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
            description = "Personality that serves the guest live. Default: ${DEFAULT-VALUE}.")
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
        Recorder.RecordResult result = record(options, served, out, force, guest.headerFields(),
                quiet ? line -> { } : line -> {
                    stdout.println("guest| " + line);
                    stdout.flush();
                });
        stdout.printf("recorded %d records (%d hypercalls) into %s%n", result.records(), result.hypercalls(), out);
        GuestStop stop = result.stop();
        stdout.printf("guest stopped: %s (%s) at rip 0x%x%n", stop.reason().textName(), stop.detail(), stop.rip());
        return stop.reason() == GuestStop.StopReason.SHUTDOWN ? ExitCodes.OK : ExitCodes.FINDING;
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

    /** The same, with the guest's domain configuration ({@link Recorder#xenDomainConfig}) added. */
    static Backend backend(String name, SortedMap<String, String> domain) {
        if (!name.equals(Backends.XEN)) {
            throw CliException.usage("--backend " + name + ": only 'xen' can serve a live guest in this version");
        }
        TreeMap<String, String> config = new TreeMap<>(HostFacts.xenHostConfig());
        config.putAll(domain);
        return Backends.create(name, config);
    }

    /**
     * Adds the configuration of the personality the recording will be replayed against (the
     * Hyper-V partition under the adapter), so a replay rebuilds both exactly: the served
     * backend's own entries win.
     */
    static JournalHeader withPairedConfiguration(JournalHeader header, Backend served) {
        return header.withConfiguration(Backends.create(Backends.XEN_ON_HYPERV, served.configuration()).configuration());
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
