package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

/**
 * The live guest's memory as a backend sees it: guest-physical accesses go to {@link GuestRam}
 * (bounds-checked), linear ones are translated page by page with the vCPU's current paging
 * state ({@link PageWalker}). A range that crosses a 4 KiB page is translated per page, as Xen
 * copies guest memory.
 */
public final class LiveGuestMemory implements GuestMemory {

    private static final long PAGE = 4096;

    private final GuestRam ram;
    private final ControlRegisters regs;

    public LiveGuestMemory(GuestRam ram, ControlRegisters regs) {
        this.ram = ram;
        this.regs = regs;
    }

    @Override
    public byte[] readLinear(long linear, int len) throws GuestFault {
        checkLength(linear, len);
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long la = linear + done;
            int n = (int) Math.min(len - done, PAGE - (la & (PAGE - 1)));
            ram.read(translate(la), out, done, n);
            done += n;
        }
        return out;
    }

    @Override
    public void writeLinear(long linear, byte[] data) throws GuestFault {
        checkLength(linear, data.length);
        // Translate every page first, so a fault leaves guest memory untouched.
        int pages = 0;
        long[] gpas = new long[(int) ((data.length + (linear & (PAGE - 1)) + PAGE - 1) / PAGE)];
        for (int done = 0; done < data.length; ) {
            long la = linear + done;
            int n = (int) Math.min(data.length - done, PAGE - (la & (PAGE - 1)));
            gpas[pages++] = translate(la);
            if (!ram.contains(gpas[pages - 1], n)) {
                throw new GuestFault(gpas[pages - 1], n, "outside guest RAM");
            }
            done += n;
        }
        int page = 0;
        for (int done = 0; done < data.length; ) {
            long la = linear + done;
            int n = (int) Math.min(data.length - done, PAGE - (la & (PAGE - 1)));
            ram.write(gpas[page++], data, done, n);
            done += n;
        }
    }

    @Override
    public byte[] readPhysical(long gpa, int len) throws GuestFault {
        return ram.read(gpa, len);
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        ram.write(gpa, data);
    }

    @Override
    public long translate(long linear) throws GuestFault {
        return PageWalker.translate(ram, regs, linear);
    }

    private static void checkLength(long linear, int len) throws GuestFault {
        if (len < 0) {
            throw new GuestFault(linear, len, "negative length");
        }
    }
}
