package dev.hcdiff.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hcdiff guests}: the guests hcdiff can record, and obtaining the third-party ones. */
@Command(name = "guests",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "List the guests hcdiff can record and obtain third-party ones.",
        description = {
                "Built-in guests are C programs built with hcdiff (recorder/guests) and shipped in its jar. Third-party guests are real firmware and kernels nobody here wrote, used unmodified: hcdiff takes the one file out of the Debian package that ships it (apt-get download, or a .deb or the bare file you give with --from), checks its SHA-256 against the hash pinned in the repository for that package version, and keeps it in a cache outside the repository.",
                "",
                "A pinned version with another hash is refused (exit 3); a version that is not pinned is accepted with a one-line warning, and its hash goes in the header of every journal recorded from it (guest.package, guest.version, guest.sha256, guest.pinned). 'record --guest NAME' fetches a third-party guest on first use.",
                "",
                "Third-party guests:",
                "  hvmloader   Xen's HVM firmware loader, from Debian 12's xen-utils-4.17",
                "",
                "Examples:",
                "  hcdiff guests list",
                "  hcdiff guests fetch hvmloader",
                "  hcdiff guests fetch hvmloader --from xen-utils-4.17_*_amd64.deb",
                "  hcdiff guests path hvmloader      (the cached file, for scripts)",
        },
        subcommands = {
                GuestsListCommand.class,
                GuestsFetchCommand.class,
                GuestsPathCommand.class,
        })
final class GuestsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, fetch or path");
    }
}
