package dev.hcdiff.recorder.guest;

/** Test access to the guests the build put on the class path, test guests included. */
public final class GuestImages {

    private GuestImages() {
    }

    /** {@code tests/vmcall} → /guests/tests/vmcall.elf; {@code hello} → /guests/hello.elf. */
    public static byte[] load(String name) {
        return BuiltinGuests.resource("/guests/" + name + ".elf");
    }
}
