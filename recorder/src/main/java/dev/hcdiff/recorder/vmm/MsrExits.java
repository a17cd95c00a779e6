package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.recorder.transport.HypercallDecoder;
import dev.hcdiff.recorder.transport.TransportInstaller;
import dev.hcdiff.recorder.transport.TransportPages;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;

/**
 * {@code KVM_EXIT_X86_RDMSR}/{@code WRMSR} (user-space MSR exits, kvm.md): the backend answers;
 * a {@link Fault#GP} observation sets {@code msr.error = 1}, and KVM injects the #GP on re-entry
 * ({@code Documentation/virt/kvm/api.rst}, KVM_EXIT_X86_RDMSR). After a successful write, any
 * hypercall page the backend wrote gets the recorder's transport stubs, of the ABI family the
 * MSR names ({@link TransportPages#familyOfMsr}).
 */
final class MsrExits {

    private MsrExits() {
    }

    static Step read(Vcpu v, long exitNs) {
        MsrRead r = new MsrRead(v.id(), KvmRun.msrIndex(v.run));
        Observation o = v.services.serve(r, exitNs);
        boolean fault = o.fault() != Fault.NONE;
        KvmRun.msrError(v.run, fault);
        if (!fault) {
            KvmRun.msrData(v.run, o.result());
        }
        return v.afterServed(r, o);
    }

    static Step write(Vcpu v, long exitNs) {
        MsrWrite w = new MsrWrite(v.id(), KvmRun.msrIndex(v.run), KvmRun.msrData(v.run),
                HypercallDecoder.modeOf(v.regs, v.sregs));
        Observation o = v.services.serve(w, exitNs);
        boolean fault = o.fault() != Fault.NONE;
        KvmRun.msrError(v.run, fault);
        if (!fault && !o.writes().isEmpty()) {
            try {
                TransportPages.Family family = TransportPages.familyOfMsr(w.index());
                for (TransportInstaller.Installed page : TransportInstaller.install(v.ram, o.writes())) {
                    v.transport.installed(page.gpa(), family);
                    v.services.transportInstalled(page.gpa(), page.bytes(), exitNs);
                }
            } catch (GuestFault outsideRam) {
                // The backend wrote these bytes through the same bounds-checked RAM a moment ago.
                throw new IllegalStateException("hypercall page vanished from guest RAM: " + outsideRam.getMessage(),
                        outsideRam);
            }
        }
        return v.afterServed(w, o);
    }
}
