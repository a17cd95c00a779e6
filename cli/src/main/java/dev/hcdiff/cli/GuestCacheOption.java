package dev.hcdiff.cli;

import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuests;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** {@code --cache DIR}: where third-party guests are kept (a mixin of {@code guests} and {@code record}). */
final class GuestCacheOption {

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where third-party guests are kept. Default: $XDG_CACHE_HOME/hcdiff/guests, or ~/.cache/hcdiff/guests")
    Path cache;

    /** The third-party guests of this machine, warnings printed on {@code err} as {@code hcdiff: warning: …}. */
    ThirdPartyGuests guests(PrintWriter err) {
        return ThirdPartyGuests.standard(Optional.ofNullable(cache), w -> {
            err.println("hcdiff: " + w);
            err.flush();
        });
    }
}
