package io.portpolicy.engine;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The operations {@link Bdd} adds to LogicNG's kernel (difference in one pass, and the
 * intersection and subset questions that build no node) agree with the kernel's own
 * {@code and}, {@code not} and {@code implication} on random sets. The node table is kept
 * tiny so that garbage collections happen in the middle of differences.
 */
class BddOperationsTest {

    private static final int VARIABLES = 12;

    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void agreeWithTheKernelsOwnOperations(@ForAll long seed) {
        Random random = new Random(seed);
        Bdd bdd = new Bdd(VARIABLES, 64);
        List<Integer> sets = new ArrayList<>();
        for (int i = 0; i < 12; i++) sets.add(randomSet(bdd, random));
        sets.add(Bdd.TRUE);
        sets.add(Bdd.FALSE);
        for (int a : sets) {
            for (int b : sets) {
                int notB = bdd.not(b);
                int expected = bdd.and(a, notB);
                int difference = bdd.minus(a, b);
                assertEquals(expected, difference, "difference");
                int both = bdd.and(a, b);
                assertEquals(both != Bdd.FALSE, bdd.intersects(a, b), "intersects");
                assertEquals(expected == Bdd.FALSE, bdd.subset(a, b), "subset");
                for (int node : new int[] {notB, expected, difference, both}) bdd.free(node);
            }
        }
    }

    /**
     * Membership read by walking one path agrees with the kernel's {@code and} of the set and
     * the member's cube, for every assignment; the member taken low-first (high-first) is the
     * least (greatest) member, variable 0 the most significant.
     */
    @Property(tries = 100, shrinking = ShrinkingMode.OFF)
    void membersAreTheLeastAndGreatestAndMembershipIsExact(@ForAll long seed) {
        Random random = new Random(seed);
        Bdd bdd = new Bdd(VARIABLES, 1 << 12);
        for (int s = 0; s < 8; s++) {
            int set = s == 0 ? Bdd.TRUE : randomSet(bdd, random);
            int least = -1;
            int greatest = -1;
            for (int value = 0; value < 1 << VARIABLES; value++) {
                boolean[] bits = new boolean[VARIABLES];
                int cube = Bdd.TRUE;
                for (int v = 0; v < VARIABLES; v++) {
                    bits[v] = (value >> (VARIABLES - 1 - v) & 1) == 1;
                    int next = bdd.and(cube, bits[v] ? bdd.variable(v) : bdd.notVariable(v));
                    bdd.free(cube);
                    cube = next;
                }
                int both = bdd.and(set, cube);
                boolean member = both != Bdd.FALSE;
                bdd.free(both);
                bdd.free(cube);
                assertEquals(member, bdd.holds(set, bits), "membership of " + value);
                if (member && least < 0) least = value;
                if (member) greatest = value;
            }
            if (set == Bdd.FALSE) continue;
            assertEquals(least, value(bdd.member(set, true)), "least member");
            assertEquals(greatest, value(bdd.member(set, false)), "greatest member");
        }
    }

    private static int value(boolean[] bits) {
        int value = 0;
        for (boolean bit : bits) value = value << 1 | (bit ? 1 : 0);
        return value;
    }

    /** A union of random cubes, each fixing a random subset of the variables. */
    private static int randomSet(Bdd bdd, Random random) {
        int set = Bdd.FALSE;
        int cubes = 1 + random.nextInt(6);
        for (int c = 0; c < cubes; c++) {
            int cube = Bdd.TRUE;
            for (int v = 0; v < VARIABLES; v++) {
                int choice = random.nextInt(3);
                if (choice == 2) continue;
                int literal = choice == 0 ? bdd.notVariable(v) : bdd.variable(v);
                int next = bdd.and(cube, literal);
                bdd.free(cube);
                cube = next;
            }
            int next = bdd.or(set, cube);
            bdd.free(set);
            bdd.free(cube);
            set = next;
        }
        return set;
    }
}
