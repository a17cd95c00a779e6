package dev.hcdiff.trace.record;

/**
 * The guest changed bytes of a page the hypervisor owns (shared_info, vcpu_info, SynIC pages)
 * between two exits, e.g. cleared an event's pending bit. The recorder captures these at each
 * exit; replay applies them to the backend so model and recording do not drift (design.md).
 */
public record GuestWrite(int vcpu, MemChunk chunk) implements GuestRequest {
}
