package dev.hcdiff.recorder.guest.thirdparty;

/**
 * A third-party guest cannot be obtained on this machine: no {@code apt-get}, no network, the
 * package unknown to apt. The message is one line that says what to do instead (usually
 * {@code --from FILE}); the CLI maps it to exit code 4 (environment problem).
 */
public final class GuestUnavailable extends RuntimeException {

    public GuestUnavailable(String message) {
        super(message);
    }
}
