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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code hcdiff record}: run a guest under KVM and journal every hypercall. */
@Command(name = "record",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Run a guest under /dev/kvm and record every hypercall it makes.",
        description = {
                "Boots the guest in a micro-VMM on /dev/kvm, serves it with a hypervisor personality (the reference Xen model by default) and writes every exchange to a journal: each hypercall with the guest memory it read and wrote, the CPUID leaves and MSR and port accesses the guest made of its hypervisor, and why the guest stopped. The guest's console output (the 0xe9 debug port, console_io) is printed as it runs.",
                "",
                "A guest that misbehaves (runs away, triple-faults, executes vmcall directly, touches memory outside its RAM) is stopped by the watchdog and reported: the journal is still complete and the exit code is 1. A journal stays readable up to its last whole record even if hcdiff itself is killed.",
                "",
                "Examples:",
                "  hcdiff record --guest hello --out /tmp/hello.journal",
                "  hcdiff record --guest spin --guest-arg 1000 --out /tmp/spin.journal --quiet",
                "  hcdiff record --guest hello --out hello.hct     (write the text form directly)",
        })
final class RecordCommand implements Callable<Integer> {

    @Option(names = "--guest", paramLabel = "NAME", required = true,
            description = "Built-in guest to run: ${COMPLETION-CANDIDATES}.", completionCandidates = GuestNames.class)
    String guest;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Journal directory to create (a Chronicle Queue); a path ending in .hct writes the text form.")
    Path out;

    @Option(names = "--force", description = "Replace an existing journal at --out.")
    boolean force;

    @Option(names = "--guest-arg", paramLabel = "N", defaultValue = "0",
            description = "Number passed to the guest at entry (RDI), e.g. the call count of 'spin'. Default: ${DEFAULT-VALUE}.")
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
        Recorder.RecordOptions options = options(guest, guestArg, memoryMib, budgetSeconds, watchdogMs);
        if (out.toString().endsWith(".hct")) {
            OutputTargets.checkFile(out, "--out");
        } else {
            OutputTargets.checkDirectory(out, "--out");
        }
        Backend served = backend(backend);
        PrintWriter stdout = spec.commandLine().getOut();
        Recorder.RecordResult result = record(options, served, out, force, quiet ? line -> { } : line -> {
            stdout.println("guest| " + line);
            stdout.flush();
        });
        stdout.printf("recorded %d records (%d hypercalls) into %s%n", result.records(), result.hypercalls(), out);
        GuestStop stop = result.stop();
        stdout.printf("guest stopped: %s (%s) at rip 0x%x%n", stop.reason().textName(), stop.detail(), stop.rip());
        return stop.reason() == GuestStop.StopReason.SHUTDOWN ? ExitCodes.OK : ExitCodes.FINDING;
    }

    static Recorder.RecordOptions options(String guest, long guestArg, long memoryMib, long budgetSeconds, long watchdogMs) {
        if (memoryMib <= 0 || memoryMib > Recorder.MAX_MEMORY >> 20) {
            throw CliException.usage("--memory must be between 2 and " + (Recorder.MAX_MEMORY >> 20) + " MiB, got " + memoryMib);
        }
        if (budgetSeconds <= 0 || watchdogMs <= 0) {
            throw CliException.usage("--budget and --watchdog must be positive");
        }
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
        if (!name.equals(Backends.XEN)) {
            throw CliException.usage("--backend " + name + ": only 'xen' can serve a live guest in this version");
        }
        return Backends.create(name, new TreeMap<>(HostFacts.xenHostConfig()));
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
        JournalHeader header = withPairedConfiguration(Recorder.header(options, served), served);
        try (TraceSink sink = Traces.create(out, header, force)) {
            return Recorder.record(options, served, sink, console);
        } catch (FileAlreadyExistsException e) {
            throw CliException.usage(out + " already exists and is not empty; choose another --out or add --force");
        }
    }
}
