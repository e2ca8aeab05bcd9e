package io.portpolicy.kernel;

/**
 * A probe and the verdict it should get, optionally with a piece of text its detail must
 * contain (e.g. "tcp reset", "admin-prohibited", "port-unreachable").
 */
public record Expect(Probe probe, Verdict verdict, String detailContains) {

    public static Expect allowed(Probe p) {
        return new Expect(p, Verdict.ALLOWED, null);
    }

    public static Expect dropped(Probe p) {
        return new Expect(p, Verdict.DROPPED, null);
    }

    public static Expect rejected(Probe p) {
        return new Expect(p, Verdict.REJECTED, null);
    }

    /** Rejected with a TCP reset. */
    public static Expect reset(Probe p) {
        return new Expect(p, Verdict.REJECTED, "tcp reset");
    }

    /** Rejected with ICMP(v6) administratively prohibited. */
    public static Expect adminProhibited(Probe p) {
        return new Expect(p, Verdict.REJECTED, "admin-prohibited");
    }

    public Expect withDetail(String text) {
        return new Expect(probe, verdict, text);
    }

    boolean matches(ProbeResult r) {
        return r.verdict() == verdict && (detailContains == null || r.detail().contains(detailContains));
    }

    @Override
    public String toString() {
        return verdict + (detailContains == null ? "" : " (" + detailContains + ")");
    }
}
