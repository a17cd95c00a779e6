/**
 * The ABI coverage of the translating backends ({@code xen-on-hyperv}, {@code hyperv-on-xen}),
 * declared where each call is served ({@link dev.hcdiff.oracle.coverage.Covers}).
 */
package dev.hcdiff.oracle.coverage;
