package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.recorder.transport.HypercallDecoder;
import dev.hcdiff.recorder.transport.TransportPages;
import dev.hcdiff.recorder.transport.TransportPort;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code KVM_EXIT_IO}: an {@code out} to the transport port is a hypercall; every other port
 * access is served by the backend as {@link PortWrite}/{@link PortRead} (the 0xE9 console among
 * them). A string instruction ({@code rep outsb}) arrives as {@code count} elements, served one
 * by one.
 */
final class IoExits {

    private IoExits() {
    }

    static Step handle(Vcpu v, long exitNs) {
        MemorySegment run = v.run;
        int direction = KvmRun.ioDirection(run);
        int size = KvmRun.ioSize(run);
        int port = KvmRun.ioPort(run);
        if (port == TransportPort.PORT && direction == KvmRun.IO_OUT) {
            return hypercall(v, exitNs);
        }
        int count = KvmRun.ioCount(run);
        long data = KvmRun.ioDataOffset(run);
        for (int i = 0; i < count; i++) {
            long at = data + (long) i * size;
            Step step;
            if (direction == KvmRun.IO_OUT) {
                PortWrite w = new PortWrite(v.id(), port, size, readLe(run, at, size));
                step = v.afterServed(w, v.services.serve(w, exitNs));
            } else {
                PortRead r = new PortRead(v.id(), port, size);
                Observation o = v.services.serve(r, exitNs);
                writeLe(run, at, size, o.result());
                step = v.afterServed(r, o);
            }
            if (step != Step.HANDLED) {
                return step;
            }
        }
        return Step.HANDLED;
    }

    /**
     * A transport stub ran: decode by the page's family and the guest's mode, serve, answer in
     * rax. A Hyper-V call from an environment the TLFS refuses stops the vCPU with the reason.
     */
    private static Step hypercall(Vcpu v, long exitNs) {
        CpuMode mode = HypercallDecoder.modeOf(v.regs, v.sregs);
        Abi abi;
        if (v.stubFamily() == TransportPages.Family.HYPERV) {
            String refusal = HypercallDecoder.hvRefusal(mode, v.cpl());
            if (refusal != null) {
                return v.stop(new VcpuStop.Unhandled(v.rip(), refusal));
            }
            abi = Abi.HV64;
        } else {
            abi = HypercallDecoder.abiOf(mode);
        }
        Hypercall call = HypercallDecoder.decode(v.id(), abi, v.regs);
        Observation o = v.services.serve(call, exitNs);
        if (o.fault() != Fault.NONE) {
            // Raising #UD/#GP from a stub needs the exit completed first and RIP moved back to
            // the out (kvm.md); it arrives with the Hyper-V ABI.
            return v.stop(new VcpuStop.Unhandled(v.rip(), "the backend raised " + o.fault()
                    + " for a hypercall; injecting exceptions into hypercalls is not implemented yet"));
        }
        if (o.returns().length > 0) {
            v.setRax(HypercallDecoder.resultRegister(abi, o.result()));
        }
        return v.afterServed(call, o);
    }

    private static long readLe(MemorySegment run, long at, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= (run.get(JAVA_BYTE, at + i) & 0xFFL) << (8 * i);
        }
        return value;
    }

    private static void writeLe(MemorySegment run, long at, int size, long value) {
        for (int i = 0; i < size; i++) {
            run.set(JAVA_BYTE, at + i, (byte) (value >>> (8 * i)));
        }
    }
}
