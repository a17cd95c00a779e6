package dev.hcdiff.oracle.coverage;

import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.abi.XenHypercall;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferenceXenCallsTest {

    private static final List<XenCall> IMPLEMENTED = ReferenceXenCalls.implemented();

    @Test
    void aCallTheModelServesIsImplemented() {
        // do_event_channel_op EVTCHNOP_send and do_xen_version XENVER_version (xen-abi.md §5).
        assertTrue(IMPLEMENTED.contains(XenCall.byName("EVTCHNOP_send").orElseThrow()));
        assertTrue(IMPLEMENTED.contains(XenCall.byName("XENVER_version").orElseThrow()));
    }

    @Test
    void aPvOnlyCallIsImplementedBecauseXensAnswerIsEnosys() {
        // set_trap_table has no HVM column in xen/include/hypercall-defs.c: -ENOSYS is Xen's answer.
        assertTrue(IMPLEMENTED.contains(new XenCall(XenHypercall.SET_TRAP_TABLE, XenCall.NO_SUB_OP)));
    }

    @Test
    void aCallTheModelLeavesUnmodelledWhateverTheArgumentsIsNot() {
        // MemoryOpDispatcher: XENMEM_exchange is unmodelled past start_extent (0 in the probe).
        assertFalse(IMPLEMENTED.contains(XenCall.byName("XENMEM_exchange").orElseThrow()));
    }

    @Test
    void checksBeforeAnUnmodelledCoreCountAsImplemented() {
        // EVTCHNOP_init_control checks the vCPU (-ENOENT) before the FIFO core: the 0xFF probe reaches it.
        assertTrue(IMPLEMENTED.contains(XenCall.byName("EVTCHNOP_init_control").orElseThrow()));
    }

    @Test
    void everyCallIsNamedAsCallNamesNamesTheRequest() {
        for (XenCall c : XenCall.all()) {
            long cmd = c.subOp() == XenCall.NO_SUB_OP ? 0 : c.subOp();
            assertEquals(CallNames.xenName(c.hypercall().number(), cmd), c.fullName());
            assertEquals(c, XenCall.byName(c.name()).orElseThrow(), "names are unique: " + c.name());
        }
    }

    @Test
    void aSubOpIsRequiredExactlyWhenTheHypercallHasThem() {
        assertThrows(IllegalArgumentException.class, () -> new XenCall(XenHypercall.EVENT_CHANNEL_OP, XenCall.NO_SUB_OP));
        assertThrows(IllegalArgumentException.class, () -> new XenCall(XenHypercall.SET_TIMER_OP, 0));
        assertThrows(IllegalArgumentException.class, () -> new XenCall(XenHypercall.EVENT_CHANNEL_OP, 63));
    }
}
