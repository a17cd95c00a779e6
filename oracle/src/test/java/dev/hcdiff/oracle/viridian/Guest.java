package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;

/** A backend with 1 MiB of flat RAM, served through {@link Serving} so writes are logged. */
final class Guest {

    /** xAPIC SPIV (0xFEE000F0) with bit 8, APIC software enable (Intel SDM Vol. 3A 10.9). */
    static final long SPIV = 0xFEE000F0L;
    static final long SPIV_ENABLE = 0x1FF;

    final Backend backend;
    final FlatRam ram = new FlatRam(1 << 20);
    long nowNs = 1_000_000;

    Guest(Backend backend) {
        this.backend = backend;
    }

    static Guest viridian(ViridianConfig config) {
        return new Guest(new HyperVOnXen(config));
    }

    Observation serve(GuestRequest r) {
        return Serving.serve(backend, r, ram, nowNs).observation();
    }

    Observation hv(int vcpu, long input, long rdx, long r8) {
        return serve(new Hypercall(vcpu, Abi.HV64, input, new long[] {rdx, r8, 0, 0, 0, 0}));
    }

    long status(int vcpu, long input, long rdx, long r8) {
        return hv(vcpu, input, rdx, r8).result();
    }

    Observation wrmsr(int vcpu, int index, long value) {
        return serve(new MsrWrite(vcpu, index, value, CpuMode.LONG64));
    }

    Observation rdmsr(int vcpu, int index) {
        return serve(new MsrRead(vcpu, index));
    }

    long[] cpuid(int leaf) {
        return serve(new CpuidQuery(0, leaf, 0)).returns();
    }

    /** Software-enables the vCPU's LAPIC through its SPIV register. */
    Observation enableLapic(int vcpu) {
        return serve(new MmioWrite(vcpu, SPIV, 4, SPIV_ENABLE));
    }

    void put(long gpa, long... qwords) {
        byte[] b = new byte[qwords.length * 8];
        for (int i = 0; i < qwords.length; i++) {
            for (int j = 0; j < 8; j++) {
                b[i * 8 + j] = (byte) (qwords[i] >>> (8 * j));
            }
        }
        try {
            ram.writePhysical(gpa, b);
        } catch (dev.hcdiff.oracle.backend.GuestFault e) {
            throw new IllegalStateException(e);
        }
    }

    long u64(long gpa) {
        return le(gpa, 8);
    }

    long le(long gpa, int n) {
        try {
            byte[] b = ram.readPhysical(gpa, n);
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = v << 8 | (b[i] & 0xff);
            }
            return v;
        } catch (dev.hcdiff.oracle.backend.GuestFault e) {
            throw new IllegalStateException(e);
        }
    }
}
