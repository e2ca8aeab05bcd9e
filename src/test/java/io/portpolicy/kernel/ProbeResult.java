package io.portpolicy.kernel;

/**
 * What one probe observed.
 *
 * @param probe           the probe
 * @param verdict         the classification
 * @param sourcePort      the source port actually used (0 for ICMP echo, the identifier for an ICMP message)
 * @param reachedListener whether the listener saw the request (a TCP connection it accepted or a
 *                        UDP datagram it echoed, an ICMP message it got): with DROPPED, it means
 *                        the answer was lost on the way back, not the request
 * @param detail          how the verdict was reached: "tcp reset", the ICMP type and code and who
 *                        sent it, "EPERM", the timeout
 */
public record ProbeResult(Probe probe, Verdict verdict, int sourcePort, boolean reachedListener, String detail) {

    @Override
    public String toString() {
        return String.format("%-52s %-8s %s%s", probe, verdict, detail,
                reachedListener && verdict != Verdict.ALLOWED ? " [request reached the listener]" : "");
    }
}
