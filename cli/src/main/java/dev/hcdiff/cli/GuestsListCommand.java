package dev.hcdiff.cli;

import dev.hcdiff.recorder.guest.BuiltinGuests;
import dev.hcdiff.recorder.guest.thirdparty.FetchedGuest;
import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuest;
import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hcdiff guests list}: every guest, built-in and third-party, cached or not. */
@Command(name = "list",
        usageHelpAutoWidth = true,
        header = "List the built-in and third-party guests, and what is cached.",
        description = {
                "Built-in guests are always there. For each third-party guest: its package and file, then each cached version (pinned or not, its SHA-256, its file), the one 'record --guest NAME' uses marked 'current', or how to fetch it.",
        })
final class GuestsListCommand implements Callable<Integer> {

    /** One line on each built-in guest (recorder/guests/*.c). */
    static final Map<String, String> BUILTIN_DESCRIPTIONS = Map.of(
            "hello", "the guest kit's tour: CPUID, hypercall page, xen_version, console, event channels, sched_op",
            "spin", "xen_version N times (--guest-arg N), for benchmarks",
            "hv-hello", "a Hyper-V guest: CPUID discovery, guest OS id, hypercall page, debug data, SignalEvent, "
                    + "spin wait, a failing call, VP index, reference time, synthetic timer 0 (record --backend hyperv)");

    @Mixin
    GuestCacheOption cache;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.println("built-in guests (built with hcdiff, in its jar; record --guest NAME):");
        for (String n : BuiltinGuests.names()) {
            out.printf("  %-11s %s%n", n, BUILTIN_DESCRIPTIONS.getOrDefault(n, ""));
        }
        ThirdPartyGuests guests = cache.guests(spec.commandLine().getErr());
        out.printf("third-party guests (cache %s; record --guest NAME fetches on first use):%n", guests.cache().root());
        List<FetchedGuest> cached = guests.list();
        for (ThirdPartyGuest g : ThirdPartyGuest.all()) {
            out.printf("  %-11s %s%n", g.name(), g.description());
            out.printf("  %-11s %s from Debian package %s%n", "", g.memberPath(), g.packageName());
            Optional<FetchedGuest> current = guests.cached(g.name());
            List<FetchedGuest> mine = cached.stream().filter(f -> f.name().equals(g.name())).toList();
            if (mine.isEmpty()) {
                out.printf("  %-11s not cached: hcdiff guests fetch %s [--from FILE]%n", "", g.name());
            }
            for (FetchedGuest f : mine) {
                boolean isCurrent = current.isPresent() && current.get().file().equals(f.file());
                out.printf("  %-11s %s %s  %s  sha256 %s%s%n  %-11s   %s%n", "", f.packageName(), f.version(),
                        f.pinned() ? "pinned" : "NOT PINNED", f.sha256(), isCurrent ? "  (current)" : "", "", f.file());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String notAThirdPartyGuest(String name) {
        String builtin = BuiltinGuests.names().contains(name) ? "'" + name + "' is a built-in guest, nothing to fetch"
                : "no third-party guest '" + name + "'";
        return builtin + " (third-party guests: " + String.join(", ", ThirdPartyGuests.names()) + ")";
    }
}
