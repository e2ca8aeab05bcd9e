#!/usr/bin/env python3
"""Traffic helper for the portpolicy kernel test harness (io.portpolicy.kernel).

Run inside a network namespace with `ip netns exec NS python3 probe.py MODE ...`.
Standard library only; needs root (raw ICMP sockets).

serve ADDR,ADDR,... PROTO:PORT|icmp-message ...
    Listens on every (address, protocol, port): TCP accepts and closes at once,
    UDP echoes each datagram back from the address it was sent to. Prints
    "READY" once every socket is bound, then one "SEEN <proto> <src> <sport>
    <dst> <dport>" line per accepted connection or received datagram. With
    "icmp-message", also one raw ICMP and one raw ICMPv6 socket, which get every ICMP
    message the namespace's input hook admitted: one "SEEN icmp-message <src>
    <identifier> <dst> <type>" line each. Exits when its standard input closes
    (so it never outlives the harness).

probe
    Reads probes from standard input, one per line, tab-separated:
        id proto src sport dst dport timeout icmp_type icmp_code
    proto is tcp, udp, icmp (echo request; ports ignored) or icmp-message
    (one message of icmp_type and icmp_code, which asks for no answer);
    sport 0 means "any". Runs them concurrently and prints, tab-separated, one
    line each:
        id VERDICT sport detail
    sport is the source port used (0 for ICMP echo, the identifier for an ICMP
    message). VERDICT is ALLOWED, DROPPED, REJECTED or ERROR, or SENT for an
    ICMP message this host's output hook let go (whether it arrived is what
    the destination's listener saw). Then prints "DONE".

The ICMP errors that answer a probe are seen by one raw socket per address
family that quotes the probe's own packet, so a rejection names the ICMP type
and code and the address that sent it; a TCP refusal with no such ICMP error
is a TCP reset.
"""
import errno
import os
import random
import resource
import selectors
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ICMP4_NAMES = {
    (3, 0): "net-unreachable", (3, 1): "host-unreachable", (3, 2): "prot-unreachable",
    (3, 3): "port-unreachable", (3, 9): "net-prohibited", (3, 10): "host-prohibited",
    (3, 13): "admin-prohibited", (11, 0): "ttl-exceeded", (12, 0): "parameter-problem",
}
ICMP6_NAMES = {
    (1, 0): "no-route", (1, 1): "admin-prohibited", (1, 3): "addr-unreachable",
    (1, 4): "port-unreachable", (1, 5): "policy-fail", (1, 6): "reject-route",
    (2, 0): "packet-too-big", (3, 0): "hop-limit-exceeded", (4, 0): "parameter-problem",
}


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def norm(addr):
    fam = family_of(addr)
    return socket.inet_ntop(fam, socket.inet_pton(fam, addr))


def out(line, lock=threading.Lock()):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


# ---------------------------------------------------------------- serve

def message_listeners(sel):
    """Raw sockets getting every ICMP and ICMPv6 message the input hook admitted."""
    v4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)  # to learn the destination
    for s in (v4, v6):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("icmp-message", None, None))


def report_message(s):
    """One "SEEN icmp-message" line for a message the raw socket got: source, identifier, destination, type."""
    if s.family == socket.AF_INET:
        data, _ = s.recvfrom(65535)
        icmp = data[(data[0] & 15) * 4:]
        src = socket.inet_ntop(socket.AF_INET, data[12:16])
        dst = socket.inet_ntop(socket.AF_INET, data[16:20])
    else:
        icmp, ancillary, _, peer = s.recvmsg(65535, socket.CMSG_SPACE(20))
        src = norm(peer[0])
        dst = None
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO:
                dst = socket.inet_ntop(socket.AF_INET6, value[:16])
        if dst is None:
            return
    if len(icmp) >= 8:
        ident = struct.unpack("!H", icmp[4:6])[0]
        out("SEEN\ticmp-message\t%s\t%d\t%s\t%d" % (src, ident, dst, icmp[0]))


def serve(addrs, specs):
    raise_fd_limit()
    sel = selectors.DefaultSelector()
    if "icmp-message" in specs:
        message_listeners(sel)
        specs = [spec for spec in specs if spec != "icmp-message"]
    for addr in addrs:
        fam = family_of(addr)
        for spec in specs:
            proto, port = spec.split(":")
            port = int(port)
            if proto == "tcp":
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((addr, port))
                s.listen(4096)
            else:
                s = socket.socket(fam, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((addr, port))
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, (proto, norm(addr), port))
    sel.register(sys.stdin, selectors.EVENT_READ, None)
    out("READY")
    while True:
        closing = False
        for key, _ in sel.select():
            if key.data is None:
                # end of input: the rest of this round still gets reported
                closing = closing or not sys.stdin.readline()
                continue
            proto, addr, port = key.data
            s = key.fileobj
            try:
                if proto == "icmp-message":
                    report_message(s)
                elif proto == "tcp":
                    conn, peer = s.accept()
                    conn.close()
                    out("SEEN\ttcp\t%s\t%d\t%s\t%d" % (norm(peer[0]), peer[1], addr, port))
                else:
                    data, peer = s.recvfrom(65535)
                    s.sendto(data, peer)
                    out("SEEN\tudp\t%s\t%d\t%s\t%d" % (norm(peer[0]), peer[1], addr, port))
            except OSError:
                pass
        if closing:
            return


# ---------------------------------------------------------------- observe ICMP

class IcmpObserver:
    """Records every ICMP echo reply and every ICMP error that quotes a packet."""

    def __init__(self):
        self.cond = threading.Condition()
        self.seen = {}
        self.socks = []
        for fam, proto in ((socket.AF_INET, socket.IPPROTO_ICMP),
                           (socket.AF_INET6, socket.IPPROTO_ICMPV6)):
            try:
                s = socket.socket(fam, socket.SOCK_RAW, proto)
            except OSError:
                continue
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            self.socks.append((fam, s))
        for fam, s in self.socks:
            threading.Thread(target=self.loop, args=(fam, s), daemon=True).start()

    def loop(self, fam, s):
        while True:
            try:
                data, peer = s.recvfrom(65535)
                key, what = (self.parse4(data) if fam == socket.AF_INET
                             else self.parse6(data, norm(peer[0])))
            except Exception:  # malformed or truncated: not ours
                continue
            if key is not None:
                with self.cond:
                    self.seen.setdefault(key, what)
                    self.cond.notify_all()

    @staticmethod
    def quoted(proto, src, dst, t):
        if proto in (6, 17):
            sport, dport = struct.unpack("!HH", t[0:4])
            return ("tcp" if proto == 6 else "udp", src, sport, dst, dport)
        if proto in (1, 58) and t[0] in (8, 128):
            ident, seq = struct.unpack("!HH", t[4:8])
            return ("icmp", src, ident, dst, seq)
        return None

    def parse4(self, b):
        ihl = (b[0] & 15) * 4
        offender = socket.inet_ntop(socket.AF_INET, b[12:16])
        icmp = b[ihl:]
        typ, code = icmp[0], icmp[1]
        if typ == 0:
            ident, seq = struct.unpack("!HH", icmp[4:8])
            return ("reply", offender, ident, seq), "echo-reply from " + offender
        if typ not in (3, 11, 12):
            return None, None
        inner = icmp[8:]
        iihl = (inner[0] & 15) * 4
        src = socket.inet_ntop(socket.AF_INET, inner[12:16])
        dst = socket.inet_ntop(socket.AF_INET, inner[16:20])
        key = self.quoted(inner[9], src, dst, inner[iihl:])
        name = ICMP4_NAMES.get((typ, code), "type %d code %d" % (typ, code))
        return key, "icmp %s (%d/%d) from %s" % (name, typ, code, offender)

    def parse6(self, icmp, offender):
        typ, code = icmp[0], icmp[1]
        if typ == 129:
            ident, seq = struct.unpack("!HH", icmp[4:8])
            return ("reply", offender, ident, seq), "echo-reply from " + offender
        if typ not in (1, 2, 3, 4):
            return None, None
        inner = icmp[8:]
        src = socket.inet_ntop(socket.AF_INET6, inner[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, inner[24:40])
        key = self.quoted(inner[6], src, dst, inner[40:])
        name = ICMP6_NAMES.get((typ, code), "type %d code %d" % (typ, code))
        return key, "icmpv6 %s (%d/%d) from %s" % (name, typ, code, offender)

    def wait(self, keys, deadline):
        with self.cond:
            while True:
                for k in keys:
                    if k in self.seen:
                        return k, self.seen[k]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, None
                self.cond.wait(left)


# ---------------------------------------------------------------- probes

GRACE = 0.15  # how long to wait for the ICMP error behind a socket error


def probe_stream(obs, proto, src, sport, dst, dport, timeout, info):
    fam = family_of(src)
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(fam, kind)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, sport))
        sport = s.getsockname()[1]
        info["sport"] = sport
        key = (proto, src, sport, dst, dport)
        deadline = time.monotonic() + timeout
        s.settimeout(timeout)
        try:
            if proto == "tcp":
                s.connect((dst, dport))
                return "ALLOWED", "connected from port %d" % sport
            payload = ("portpolicy-probe %s %d" % (src, sport)).encode()
            s.connect((dst, dport))
            s.send(payload)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout()
                s.settimeout(left)
                if s.recv(65535) == payload:
                    return "ALLOWED", "echoed to port %d" % sport
        except socket.timeout:
            _, icmp = obs.wait([key], time.monotonic())
            if icmp:
                return "REJECTED", icmp + " (socket did not report it)"
            return "DROPPED", "no answer within %.2fs (port %d)" % (timeout, sport)
        except OSError as e:
            _, icmp = obs.wait([key], time.monotonic() + GRACE)
            if e.errno == errno.EPERM:
                if icmp:
                    return "REJECTED", icmp + " (EPERM: rejected by this host's own output hook)"
                return "DROPPED", "EPERM: dropped by this host's own output hook (port %d)" % sport
            if icmp:
                return "REJECTED", icmp
            if proto == "tcp" and e.errno == errno.ECONNREFUSED:
                return "REJECTED", "tcp reset (port %d)" % sport
            return "ERROR", "%s (port %d)" % (errno.errorcode.get(e.errno, str(e.errno)), sport)
    finally:
        if proto == "tcp":
            # reset instead of FIN: no TIME_WAIT, so a fixed source port can be reused at once
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def probe_echo(obs, src, dst, timeout, ident, seq):
    fam = family_of(src)
    if fam == socket.AF_INET:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        typ = 8
    else:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        typ = 128
    try:
        s.bind((src, 0))
        payload = b"portpolicy-probe"
        pkt = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + payload
        if fam == socket.AF_INET:  # the kernel fills in ICMPv6 checksums itself
            pkt = pkt[:2] + struct.pack("!H", checksum(pkt)) + pkt[4:]
        deadline = time.monotonic() + timeout
        try:
            s.sendto(pkt, (dst, 0))
        except OSError as e:
            if e.errno != errno.EPERM:
                return "ERROR", errno.errorcode.get(e.errno, str(e.errno))
            key, what = obs.wait([("icmp", src, ident, dst, seq)], time.monotonic() + GRACE)
            if key is None:
                return "DROPPED", "EPERM: dropped by this host's own output hook"
            return "REJECTED", what + " (EPERM: rejected by this host's own output hook)"
        key, what = obs.wait([("reply", dst, ident, seq), ("icmp", src, ident, dst, seq)], deadline)
        if key is None:
            return "DROPPED", "no answer within %.2fs (id %d)" % (timeout, ident)
        if key[0] == "reply":
            return "ALLOWED", what
        return "REJECTED", what
    finally:
        s.close()


def probe_message(src, dst, typ, code, timeout, ident):
    """Sends one ICMP message that asks for no answer; its destination's listener tells whether it arrived."""
    fam = family_of(src)
    if fam == socket.AF_INET:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    else:
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    try:
        s.bind((src, 0))
        # the identifier where an echo has it; an error's quoted packet is this text, no known connection
        pkt = struct.pack("!BBHHH", typ, code, 0, ident, 0) + b"portpolicy-probe"
        if fam == socket.AF_INET:  # the kernel fills in ICMPv6 checksums itself
            pkt = pkt[:2] + struct.pack("!H", checksum(pkt)) + pkt[4:]
        try:
            s.sendto(pkt, (dst, 0))
        except OSError as e:
            if e.errno == errno.EPERM:
                return "DROPPED", "EPERM: dropped by this host's own output hook (id %d)" % ident
            return "ERROR", errno.errorcode.get(e.errno, str(e.errno))
        time.sleep(timeout)  # for the destination's listener to see it before it stops
        return "SENT", "sent type %d code %d id %d" % (typ, code, ident)
    finally:
        s.close()


def probe_all():
    raise_fd_limit()
    lines = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
    obs = IcmpObserver()
    base = random.randrange(1, 0xFFFF)

    def run(i, f):
        pid, proto, src, sport, dst, dport, timeout, icmp_type, icmp_code = f
        info = {"sport": int(sport)}
        try:
            src, dst = norm(src), norm(dst)
            # Echo requests and messages never share an identifier: connection tracking would
            # take an echo-reply message for the answer to a lab's echo request and admit it.
            if proto == "icmp":
                info["sport"] = 0
                result = probe_echo(obs, src, dst, float(timeout), (base + i) & 0x7FFF, i & 0xFFFF)
            elif proto == "icmp-message":
                info["sport"] = 0x8000 | ((base + i) & 0x7FFF)
                result = probe_message(src, dst, int(icmp_type), int(icmp_code), float(timeout), info["sport"])
            else:
                result = probe_stream(obs, proto, src, int(sport), dst, int(dport), float(timeout), info)
        except Exception as e:  # never lose a probe's line
            result = ("ERROR", "%s: %s" % (type(e).__name__, e))
        return pid, info["sport"], result

    # Lone ICMP messages go in a round of their own, after the probes that wait for answers:
    # sent among them, their traffic (and the raw listeners reading all of it) delayed the ICMP
    # errors those probes wait for past their timeouts.
    numbered = list(enumerate(lines))
    rounds = [[a for a in numbered if a[1][1] != "icmp-message"], [a for a in numbered if a[1][1] == "icmp-message"]]
    workers = max(1, min(256, len(lines)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for probes in rounds:
            for pid, sport, (verdict, detail) in pool.map(lambda a: run(*a), probes):
                out("%s\t%s\t%s\t%s" % (pid, verdict, sport, detail.replace("\t", " ").replace("\n", " ")))
    out("DONE")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        serve([a for a in sys.argv[2].split(",") if a], sys.argv[3:])
    elif len(sys.argv) == 2 and sys.argv[1] == "probe":
        probe_all()
    else:
        sys.exit("usage: probe.py serve ADDRS PROTO:PORT... | probe")
