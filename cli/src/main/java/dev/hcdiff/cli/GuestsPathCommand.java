package dev.hcdiff.cli;

import dev.hcdiff.recorder.guest.thirdparty.FetchedGuest;
import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuests;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code hcdiff guests path NAME}: the cached file, for scripts; fetched first when missing. */
@Command(name = "path",
        usageHelpAutoWidth = true,
        header = "Print the cached file of a third-party guest (fetching it on first use).",
        description = {
                "Prints the path of the file 'record --guest NAME' would use, after checking its hash again; fetches it with apt-get first when nothing is cached, as 'record' does. Only the path goes to stdout, so scripts can use it:",
                "",
                "  export HCDIFF_HVMLOADER=\"$(hcdiff guests path hvmloader)\"",
        })
final class GuestsPathCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME", description = "The third-party guest: ${COMPLETION-CANDIDATES}.",
            completionCandidates = GuestsFetchCommand.ThirdPartyNames.class)
    String name;

    @Mixin
    GuestCacheOption cache;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!ThirdPartyGuests.isThirdParty(name)) {
            throw CliException.usage(GuestsListCommand.notAThirdPartyGuest(name));
        }
        FetchedGuest f = GuestChoice.obtain(cache.guests(spec.commandLine().getErr()), name, spec.commandLine().getErr());
        spec.commandLine().getOut().println(f.file());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
