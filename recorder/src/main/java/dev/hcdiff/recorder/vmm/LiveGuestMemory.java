package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

/**
 * The live guest's memory as a backend sees it: guest-physical accesses go to {@link GuestRam}
 * (bounds-checked), linear ones are translated with the vCPU's current paging state
 * ({@link PageWalker}), page by page as Xen copies guest memory ({@link GuestMemory}'s defaults).
 */
public final class LiveGuestMemory implements GuestMemory {

    private final GuestRam ram;
    private final ControlRegisters regs;

    public LiveGuestMemory(GuestRam ram, ControlRegisters regs) {
        this.ram = ram;
        this.regs = regs;
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
}
