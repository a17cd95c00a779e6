package dev.hcdiff.oracle.hyperv;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ports and connections the root preconfigured, keyed by connection id, with a one-string
 * configuration form that parses and prints losslessly:
 *
 * <pre>
 *   ports   = "" | entry (";" entry)*
 *   entry   = conn "=" ( "event:vp" N ":sint" N ":flag" N ":count" N | "message:vp" N ":sint" N
 *                      | "root:count" N )
 *   conn    = "0x" lower-case hex digits without leading zeros, at most 0xffffff
 *   N       = decimal digits without leading zeros
 * </pre>
 *
 * e.g. {@code 0x10001=event:vp0:sint2:flag0:count16;0x20001=message:vp0:sint3}. Printing sorts by
 * connection id, and only canonical numbers are accepted, so {@code print(parse(s)).equals(s)}
 * for every accepted string whose entries are sorted, and
 * {@code parse(print(p)).equals(p)} for every table.
 */
public record HvPorts(SortedMap<Integer, HvPort> byConnection) {

    /** No ports. */
    public static final HvPorts NONE = new HvPorts(new TreeMap<>());

    private static final Pattern ENTRY = Pattern.compile(
            "0x(0|[1-9a-f][0-9a-f]{0,5})=(?:event:vp(0|[1-9][0-9]{0,5}):sint(0|[1-9][0-9]?):flag(0|[1-9][0-9]{0,4}):count(0|[1-9][0-9]{0,4})"
                    + "|message:vp(0|[1-9][0-9]{0,5}):sint(0|[1-9][0-9]?)"
                    + "|root:count(0|[1-9][0-9]{0,4}))");

    public HvPorts {
        TreeMap<Integer, HvPort> copy = new TreeMap<>();
        byConnection.forEach((id, port) -> {
            if (id != port.connectionId()) {
                throw new IllegalArgumentException(String.format("port table key 0x%x names connection 0x%x", id, port.connectionId()));
            }
            copy.put(id, port);
        });
        byConnection = Collections.unmodifiableSortedMap(copy);
    }

    /** The port a connection id reaches, if the root configured one. */
    public Optional<HvPort> lookup(int connectionId) {
        return Optional.ofNullable(byConnection.get(connectionId));
    }

    /** A copy with {@code port} added. @throws IllegalArgumentException if its connection id is taken */
    public HvPorts with(HvPort port) {
        if (byConnection.containsKey(port.connectionId())) {
            throw new IllegalArgumentException(String.format("connection 0x%x configured twice", port.connectionId()));
        }
        TreeMap<Integer, HvPort> m = new TreeMap<>(byConnection);
        m.put(port.connectionId(), port);
        return new HvPorts(m);
    }

    /**
     * Parses the configuration string.
     *
     * @throws IllegalArgumentException naming the first bad entry and why
     */
    public static HvPorts parse(String text) {
        if (text.isEmpty()) {
            return NONE;
        }
        HvPorts ports = NONE;
        for (String entry : text.split(";", -1)) {
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad hyperv.ports entry '" + entry
                        + "' (expected 0x<conn>=event:vp<N>:sint<N>:flag<N>:count<N>, 0x<conn>=message:vp<N>:sint<N>"
                        + " or 0x<conn>=root:count<N>)");
            }
            int conn = Integer.parseInt(m.group(1), 16);
            HvPort port;
            if (m.group(2) != null) {
                port = HvPort.event(conn, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)));
            } else if (m.group(6) != null) {
                port = HvPort.message(conn, Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7)));
            } else {
                port = HvPort.root(conn, Integer.parseInt(m.group(8)));
            }
            ports = ports.with(port);
        }
        return ports;
    }

    /** The canonical configuration string (sorted by connection id). */
    public String print() {
        StringBuilder sb = new StringBuilder();
        for (HvPort p : byConnection.values()) {
            if (!sb.isEmpty()) {
                sb.append(';');
            }
            sb.append("0x").append(Integer.toHexString(p.connectionId())).append('=').append(p.valueText());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return print();
    }
}
