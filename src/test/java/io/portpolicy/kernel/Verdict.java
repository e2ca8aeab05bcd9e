package io.portpolicy.kernel;

/** What a probe observed. */
public enum Verdict {
    /** The request reached the listener and its answer came back (connected, echoed, echo reply). */
    ALLOWED,
    /** Nothing came back within the probe's timeout, or this host's own output hook dropped the request (EPERM). */
    DROPPED,
    /** A TCP reset or an ICMP error answered the request. */
    REJECTED,
    /** The probe itself failed (a lab or harness problem, not a firewall verdict); see the detail. */
    ERROR
}
