package dev.hcdiff.cli;

import dev.hcdiff.recorder.Recorder;
import dev.hcdiff.recorder.guest.Boot;
import dev.hcdiff.recorder.guest.BuiltinGuests;
import dev.hcdiff.recorder.guest.thirdparty.FetchedGuest;
import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuest;
import dev.hcdiff.recorder.guest.thirdparty.ThirdPartyGuests;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code record}'s {@code --guest NAME}, {@code --guest-file PATH} and {@code --boot} name:
 * the image and how to boot it, plus the journal header entries that say where a third-party
 * guest came from.
 */
final class GuestChoice {

    private GuestChoice() {
    }

    /**
     * The guest to record.
     *
     * @param options      image, boot protocol and limits
     * @param headerFields added to the journal header ({@code guest.package} … for a third-party guest)
     */
    record Resolved(Recorder.RecordOptions options, Map<String, String> headerFields) {
    }

    /**
     * A built-in guest boots by the guest kit's protocol unless {@code --boot} says otherwise; a
     * third-party guest or an image file by {@code --boot} (auto: PVH when the ELF has the PVH
     * entry note, else an HVM firmware for ELF32).
     *
     * @throws CliException usage error for an unknown guest name or boot protocol
     */
    static Resolved resolve(String guest, Path guestFile, String bootName, GuestCacheOption cache, PrintWriter err)
            throws IOException {
        Boot boot;
        try {
            boot = Boot.parse(bootName);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--boot: " + e.getMessage());
        }
        if (guestFile != null) {
            return new Resolved(Recorder.RecordOptions.fromFile(guestFile, boot), Map.of());
        }
        if (BuiltinGuests.names().contains(guest)) {
            return new Resolved(Recorder.RecordOptions.of(guest, BuiltinGuests.load(guest), 0)
                    .withBoot(boot == Boot.AUTO ? Boot.KIT : boot), Map.of());
        }
        if (ThirdPartyGuests.isThirdParty(guest)) {
            FetchedGuest f = obtain(cache.guests(err), guest, err);
            return new Resolved(Recorder.RecordOptions.of(guest, f.read(), 0).withBoot(boot), f.headerFields());
        }
        throw CliException.usage("no guest '" + guest + "' (built-in guests: " + String.join(", ", BuiltinGuests.names())
                + "; third-party guests: " + String.join(", ", ThirdPartyGuests.names()) + "; or --guest-file PATH)");
    }

    /** The cached third-party guest, fetched on first use with a note on {@code err} saying so. */
    static FetchedGuest obtain(ThirdPartyGuests guests, String name, PrintWriter err) throws IOException {
        if (guests.cached(name).isEmpty()) {
            String pkg = ThirdPartyGuest.byName(name).map(ThirdPartyGuest::packageName).orElse(name);
            err.printf("hcdiff: %s is not cached yet: fetching it with apt-get download %s into %s "
                    + "(or: hcdiff guests fetch %s --from FILE)%n", name, pkg, guests.cache().root(), name);
            err.flush();
        }
        return guests.obtain(name);
    }
}
