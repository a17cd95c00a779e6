package dev.hcdiff.cli;

import dev.hcdiff.recorder.guest.thirdparty.FetchedGuest;
import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code hcdiff guests fetch NAME [--from FILE]}. */
@Command(name = "fetch",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Obtain a third-party guest, check its pinned SHA-256 and cache it.",
        description = {
                "Without --from, runs 'apt-get download PACKAGE' in a temporary directory (no root needed; the package lists must exist: run 'apt-get update' once on a fresh machine), takes the one file out of the .deb in Java and caches it. With --from, reads a .deb of the package or the bare file instead: a bare file is recognised by its pinned hash, or accepted as version 'unknown' with a warning. The fetched version becomes the one 'record --guest NAME' uses.",
                "",
                "Exit codes: 3 when the file is not the guest or a pinned version's hash differs; 4 when the package cannot be downloaded here (no apt-get, no network, package lists missing): the message says what to do instead.",
                "",
                "Examples:",
                "  hcdiff guests fetch hvmloader",
                "  hcdiff guests fetch hvmloader --from xen-utils-4.17_*_amd64.deb",
                "  hcdiff guests fetch hvmloader --from ./usr/lib/xen-4.17/boot/hvmloader",
        })
final class GuestsFetchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME", description = "The third-party guest: ${COMPLETION-CANDIDATES}.",
            completionCandidates = ThirdPartyNames.class)
    String name;

    @Option(names = "--from", paramLabel = "FILE",
            description = "A .deb of the guest's package, or the bare guest file, instead of apt-get download.")
    Path from;

    @Mixin
    GuestCacheOption cache;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The third-party guests, for --help. */
    static final class ThirdPartyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ThirdPartyGuests.names().iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        if (!ThirdPartyGuests.isThirdParty(name)) {
            throw CliException.usage(GuestsListCommand.notAThirdPartyGuest(name));
        }
        PrintWriter out = spec.commandLine().getOut();
        FetchedGuest f = cache.guests(spec.commandLine().getErr()).fetch(name, Optional.ofNullable(from));
        out.printf("fetched %s: %s %s, sha256 %s (%s)%n", f.name(), f.packageName(), f.version(), f.sha256(),
                f.pinned() ? "pinned" : "not pinned");
        out.printf("  %s%n", f.file());
        out.flush();
        return ExitCodes.OK;
    }
}
