package io.portpolicy.compile.aws;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressSeqRange;
import io.portpolicy.compile.cloud.ProtocolPart;
import io.portpolicy.engine.AddressResolver;
import io.portpolicy.engine.PacketCube;
import io.portpolicy.engine.ValueRange;
import io.portpolicy.model.Family;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The fewest security-group entries this finds that admit exactly a set of packets, each entry
 * being one CIDR with one protocol and one range of values (destination ports for TCP and UDP,
 * {@code type * 256 + code} for ICMP, nothing for other protocols), and which of the policy's
 * sources (allow rules, the default) admit part of each.
 *
 * <p>A security group admits the union of its entries, so entries may overlap. Per protocol,
 * the value axis is cut into atoms on which the admitted peers are constant; each atom's peers
 * are split into prefix blocks; a block is then stretched over every neighbouring atom whose
 * peers contain it, so one entry serves a run of atoms (port 22 from 10.0.0.0/8 and every port
 * from 10.1.0.0/16 are two entries, not nine). Peers an all-protocols entry already admits are
 * not needed again for a single protocol, though entries may still cover them.
 *
 * <p>One part of a set is left out: the other address family's ICMP number (ICMPv6 in IPv4,
 * ICMP in IPv6), which only an all-protocols entry admits, since a permission names icmp for
 * IPv4 ranges and icmpv6 for IPv6 ranges only.
 */
final class PermissionCover {

    /** Where admitted packets come from: an allow rule, or the default. */
    interface Source {
        String describe();
    }

    /** One entry: a prefix block of peers, one protocol ({@link ProtocolPart#ALL} for all), a range of values. */
    record Entry(Family family, int protocol, int low, int high, IPAddress block, List<Source> sources) {
    }

    /**
     * A block of admitted packets: peers × one protocol × a range of values, from one source (its
     * place in {@link #order}; -1 for the whole admitted set). The peers are a cube's ranges, kept
     * together (and shared by the cube's boxes) rather than one box per range: a cube of thousands
     * of port ranges from hundreds of peers would otherwise be millions of boxes.
     */
    private record Box(int source, Family family, int protocol, int low, int high, List<IPAddressSeqRange> peers) {
        boolean meets(IPAddressSeqRange range) {
            return peers.stream().anyMatch(range::overlaps);
        }
    }

    /** Thrown by {@link #entries(int)} when a family needs more entries than the caller can use. */
    static final class TooMany extends Exception {
        private final transient Family family;

        TooMany(Family family) {
            super(null, null, false, false);
            this.family = family;
        }

        Family family() {
            return family;
        }
    }

    private record Key(Family family, int protocol) {
    }

    private final List<Box> admitted;
    private final List<List<PacketCube>> attributedCubes = new ArrayList<>();
    private final List<Source> order = new ArrayList<>();
    private final boolean inbound;

    /**
     * @param admitted the blocks of every admitted packet; the entries are cut from these, so a
     *                 union that is every protocol is one all-protocols entry however the sources split it
     * @param inbound  whether the peer side is the source (else the destination)
     */
    PermissionCover(List<PacketCube> admitted, boolean inbound) {
        this.inbound = inbound;
        this.admitted = boxes(-1, admitted);
    }

    /** Adds a source's blocks of admitted packets: the entries meeting them name it. */
    void attribute(Source source, List<PacketCube> cubes) {
        // Cut into boxes only once the entries are known to be few enough to be used.
        attributedCubes.add(cubes);
        order.add(source);
    }

    private List<Box> boxes(int source, List<PacketCube> cubes) {
        List<Box> boxes = new ArrayList<>();
        for (PacketCube cube : cubes) {
            List<IPAddressSeqRange> peers = inbound ? cube.sources() : cube.destinations();
            for (ProtocolPart part : ProtocolPart.of(cube)) {
                // A permission pairs icmp with IPv4 ranges and icmpv6 with IPv6 ranges only: the
                // other family's ICMP number (ICMPv6 in an IPv4 packet, ICMP in an IPv6 one) has
                // no entry of its own, only a share of an all-protocols one.
                if (part.isIcmp() && part.protocol() != ProtocolPart.icmpOf(cube.family())) continue;
                for (ValueRange values : values(part)) {
                    boxes.add(new Box(source, cube.family(), part.protocol(), values.low(), values.high(), peers));
                }
            }
        }
        return boxes;
    }

    /** The highest value of a protocol's axis. */
    static int maxValue(int protocol) {
        return protocol == ProtocolPart.TCP || protocol == ProtocolPart.UDP || isIcmp(protocol) ? 65535 : 0;
    }

    static boolean isIcmp(int protocol) {
        return protocol == ProtocolPart.ICMP || protocol == ProtocolPart.ICMPV6;
    }

    /** A part's values on its protocol's axis. */
    private static List<ValueRange> values(ProtocolPart part) {
        if (part.hasPorts()) return part.destinationPorts();
        if (!part.isIcmp()) return List.of(new ValueRange(0, 0));
        List<ValueRange> out = new ArrayList<>();
        boolean everyCode = part.everyIcmpCode();
        for (ValueRange types : part.icmpTypes()) {
            if (everyCode) {
                out.add(new ValueRange(types.low() * 256, types.high() * 256 + 255));
                continue;
            }
            for (int type = types.low(); type <= types.high(); type++) {
                for (ValueRange codes : part.icmpCodes()) out.add(new ValueRange(type * 256 + codes.low(), type * 256 + codes.high()));
            }
        }
        return out;
    }

    /**
     * The entries, sorted by family, protocol, values and block; each names its sources in the
     * order they were added.
     *
     * @param most the most entries of one family the caller can use: past that, finding (and
     *             counting) the rest would be wasted work, which grows with their number
     * @throws TooMany when a family needs more than {@code most} entries
     */
    List<Entry> entries(int most) throws TooMany {
        Map<Key, List<Box>> byKey = new LinkedHashMap<>();
        for (Box box : admitted) byKey.computeIfAbsent(new Key(box.family(), box.protocol()), k -> new ArrayList<>()).add(box);
        Map<Key, List<Entry>> unattributed = new LinkedHashMap<>();
        Map<Family, Integer> counts = new HashMap<>();
        for (Map.Entry<Key, List<Box>> group : byKey.entrySet()) {
            Key key = group.getKey();
            List<Box> all = key.protocol() == ProtocolPart.ALL ? List.of()
                    : byKey.getOrDefault(new Key(key.family(), ProtocolPart.ALL), List.of());
            int room = most - counts.getOrDefault(key.family(), 0);
            List<Entry> entries = cover(key, group.getValue(), all, room);
            if (entries.size() > room) throw new TooMany(key.family());
            counts.merge(key.family(), entries.size(), Integer::sum);
            unattributed.put(key, entries);
        }
        List<Box> attributed = new ArrayList<>();
        for (int s = 0; s < attributedCubes.size(); s++) attributed.addAll(boxes(s, attributedCubes.get(s)));
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Key, List<Entry>> group : unattributed.entrySet()) {
            out.addAll(attribute(group.getKey(), group.getValue(), attributed));
        }
        out.sort(Comparator.comparing(Entry::family).thenComparingInt(Entry::protocol).thenComparingInt(Entry::low)
                .thenComparingInt(Entry::high).thenComparing(Entry::block));
        return out;
    }

    /**
     * The key's entries, without their sources; past {@code room} entries it stops, having made
     * {@code room + 1}.
     */
    private List<Entry> cover(Key key, List<Box> own, List<Box> everyProtocol, int room) {
        int max = maxValue(key.protocol());
        List<Box> boxes = new ArrayList<>(own);
        for (Box box : everyProtocol) {
            boxes.add(new Box(box.source(), box.family(), key.protocol(), 0, max, box.peers()));
        }
        List<IPAddressSeqRange> coveredByAll = join(everyProtocol.stream().flatMap(b -> b.peers().stream()).toList());

        TreeSet<Integer> cuts = new TreeSet<>(List.of(0, max + 1));
        for (Box box : own) {
            cuts.add(box.low());
            cuts.add(box.high() + 1);
        }
        // One sweep along the value axis: a box's values begin and end at cuts, so the boxes
        // holding an atom are those begun at or before it and not yet ended. Comparing every
        // atom with every box was quadratic in the number of port ranges.
        boxes.sort(Comparator.comparingInt(Box::low));
        List<Box> open = new ArrayList<>();
        int next = 0;
        // Many atoms have the same peers (every other port from the same sources): their
        // ranges are joined, and their blocks found, once.
        Map<List<List<IPAddressSeqRange>>, List<IPAddressSeqRange>> joined = new HashMap<>();
        Map<List<IPAddressSeqRange>, List<IPAddress>> neededBlocks = new HashMap<>();
        List<int[]> atoms = new ArrayList<>();
        List<List<IPAddressSeqRange>> peers = new ArrayList<>();
        Map<IPAddress, BitSet> needed = new LinkedHashMap<>();
        Integer previous = null;
        for (int cut : cuts) {
            if (previous != null) {
                int low = previous;
                while (next < boxes.size() && boxes.get(next).low() <= low) open.add(boxes.get(next++));
                open.removeIf(b -> b.high() < low);
                List<IPAddressSeqRange> here = joined.computeIfAbsent(open.stream().map(Box::peers).toList(),
                        lists -> join(lists.stream().flatMap(List::stream).toList()));
                if (!here.isEmpty()) {
                    int atom = atoms.size();
                    atoms.add(new int[] {low, cut - 1});
                    peers.add(here);
                    for (IPAddress block : neededBlocks.computeIfAbsent(here, h -> neededBlocks(h, coveredByAll))) {
                        needed.computeIfAbsent(block, b -> new BitSet()).set(atom);
                    }
                }
            }
            previous = cut;
        }

        // Each block is stretched from the atoms that need it over the neighbouring atoms that
        // contain it: the maximal runs of adjacent atoms holding the block that include a needing
        // atom, found without visiting every atom for every block.
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<IPAddress, BitSet> block : needed.entrySet()) {
            IPAddressSeqRange range = block.getKey().toSequentialRange();
            BitSet wanted = block.getValue();
            int i = wanted.nextSetBit(0);
            while (i >= 0) {
                if (out.size() > room) return out;
                int start = i;
                while (start > 0 && adjacent(atoms, start - 1) && contains(peers.get(start - 1), range)) start--;
                int end = i;
                while (end + 1 < atoms.size() && adjacent(atoms, end) && contains(peers.get(end + 1), range)) end++;
                out.add(new Entry(key.family(), key.protocol(), atoms.get(start)[0], atoms.get(end)[1], block.getKey(), List.of()));
                i = wanted.nextSetBit(end + 1);
            }
        }
        return out;
    }

    /** The prefix blocks of joined peers that an atom with them needs: those not all admitted by all-protocols entries. */
    private static List<IPAddress> neededBlocks(List<IPAddressSeqRange> peers, List<IPAddressSeqRange> coveredByAll) {
        List<IPAddressSeqRange> missing = AddressResolver.minus(peers, coveredByAll);
        List<IPAddress> out = new ArrayList<>();
        if (missing.isEmpty()) return out;
        for (IPAddressSeqRange range : peers) {
            for (IPAddress block : range.spanWithPrefixBlocks()) {
                if (overlaps(block.toSequentialRange(), missing)) out.add(block);
            }
        }
        return out;
    }

    /** The key's entries, each naming the sources whose blocks it meets. */
    private List<Entry> attribute(Key key, List<Entry> entries, List<Box> attributed) {
        List<Box> meetable = meetable(key, attributed);
        Map<Long, List<Box>> meetingByValues = new HashMap<>();
        List<Entry> out = new ArrayList<>();
        for (Entry entry : entries) {
            List<Box> meeting = meetingByValues.computeIfAbsent(((long) entry.low() << 32) | entry.high(),
                    values -> meetingValues(meetable, key.protocol(), entry.low(), entry.high()));
            out.add(new Entry(entry.family(), entry.protocol(), entry.low(), entry.high(), entry.block(),
                    sources(meeting, entry.block().toSequentialRange())));
        }
        return out;
    }

    /** Whether atom {@code i} ends where atom {@code i + 1} begins. */
    private static boolean adjacent(List<int[]> atoms, int i) {
        return atoms.get(i + 1)[0] == atoms.get(i)[1] + 1;
    }

    /**
     * The attributed blocks an entry of the key may meet: of its family, and of its protocol or
     * every protocol (of any protocol, for an all-protocols entry). A group of a large cloud
     * policy has hundreds of allow rules and thousands of entries (docs/performance.md, eighth
     * and ninth rounds), and many entries share their values: each entry reads only the blocks
     * meeting its values, found once for all entries with the same values.
     */
    private static List<Box> meetable(Key key, List<Box> attributed) {
        List<Box> out = new ArrayList<>();
        for (Box box : attributed) {
            if (box.family() == key.family() && (key.protocol() == ProtocolPart.ALL
                    || box.protocol() == ProtocolPart.ALL || box.protocol() == key.protocol())) {
                out.add(box);
            }
        }
        return out;
    }

    /** The meetable blocks sharing a value with {@code low..high} (an all-protocols block or entry shares every value). */
    private static List<Box> meetingValues(List<Box> meetable, int protocol, int low, int high) {
        List<Box> out = new ArrayList<>();
        for (Box box : meetable) {
            if (protocol == ProtocolPart.ALL || box.protocol() == ProtocolPart.ALL
                    || (box.low() <= high && low <= box.high())) {
                out.add(box);
            }
        }
        return out;
    }

    /** The sources of the blocks (all meeting the entry's values) whose peers meet the entry's, in the order they were added. */
    private List<Source> sources(List<Box> meeting, IPAddressSeqRange block) {
        BitSet found = new BitSet(order.size());
        for (Box box : meeting) {
            if (!found.get(box.source()) && box.meets(block)) found.set(box.source());
        }
        List<Source> sources = new ArrayList<>();
        for (int s = found.nextSetBit(0); s >= 0; s = found.nextSetBit(s + 1)) sources.add(order.get(s));
        return sources;
    }

    private static List<IPAddressSeqRange> join(List<IPAddressSeqRange> ranges) {
        if (ranges.isEmpty()) return List.of();
        return Arrays.stream(IPAddressSeqRange.join(ranges.toArray(new IPAddressSeqRange[0])))
                .sorted(Comparator.comparing(IPAddressSeqRange::getLower)).toList();
    }

    private static boolean overlaps(IPAddressSeqRange range, List<IPAddressSeqRange> ranges) {
        return ranges.stream().anyMatch(r -> r.getLower().isIPv4() == range.getLower().isIPv4() && r.overlaps(range));
    }

    /** Whether the joined ranges hold all of {@code range} (joined ranges never split a contained range). */
    private static boolean contains(List<IPAddressSeqRange> joined, IPAddressSeqRange range) {
        return joined.stream().anyMatch(r -> r.getLower().isIPv4() == range.getLower().isIPv4() && r.contains(range));
    }
}
