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
 * intersection and subset questions that build no node) agree with {@code and} and
 * {@code not} on random sets, and every operation, with the parts of the kernel {@link Bdd}
 * replaces, agrees with truth tables on every assignment. The node table is kept tiny so that
 * garbage collections happen in the middle of operations.
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

    /**
     * The kernel's node constructor, collection and and/or memo (which {@link Bdd} replaces)
     * are exact: sets built from random truth tables in a table of 16 nodes, which is collected
     * and grown again and again on the way, hold exactly the assignments their tables say; the
     * same table built twice is the same node; and, or, difference, complement and both
     * quantifiers agree with the truth tables on every assignment.
     */
    @Property(tries = 60, shrinking = ShrinkingMode.OFF)
    void operationsAreExactOnEveryAssignment(@ForAll long seed) {
        Random random = new Random(seed);
        Bdd bdd = new Bdd(VARIABLES, 16);
        int size = 1 << VARIABLES;
        List<boolean[]> tables = new ArrayList<>();
        List<Integer> sets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boolean[] table = new boolean[size];
            // Runs of equal values, so that the diagrams share structure as real sets do.
            boolean value = random.nextBoolean();
            for (int a = 0; a < size; a++) {
                if (random.nextInt(1 + random.nextInt(64)) == 0) value = !value;
                table[a] = value;
            }
            tables.add(table);
            sets.add(fromTable(bdd, table, 0, 0));
        }
        for (int i = 0; i < tables.size(); i++) {
            int again = fromTable(bdd, tables.get(i), 0, 0);
            assertEquals(sets.get(i), again, "the same set built twice");
            bdd.free(again);
            boolean[] table = tables.get(i);
            assertHolds(bdd, sets.get(i), a -> table[a], "built");
        }
        int first = random.nextInt(VARIABLES);
        int count = 1 + random.nextInt(VARIABLES - first);
        int quantified = bdd.variables(first, count);
        for (int i = 0; i < tables.size(); i++) {
            boolean[] x = tables.get(i);
            int complement = bdd.not(sets.get(i));
            assertHolds(bdd, complement, a -> !x[a], "not");
            int some = bdd.exists(sets.get(i), quantified);
            assertHolds(bdd, some, a -> anyOver(x, a, first, count, true), "exists");
            int every = bdd.forAll(sets.get(i), quantified);
            assertHolds(bdd, every, a -> anyOver(x, a, first, count, false), "for all");
            for (int node : new int[] {complement, some, every}) bdd.free(node);
            for (int j = 0; j < tables.size(); j++) {
                boolean[] y = tables.get(j);
                int and = bdd.and(sets.get(i), sets.get(j));
                int or = bdd.or(sets.get(i), sets.get(j));
                int minus = bdd.minus(sets.get(i), sets.get(j));
                assertHolds(bdd, and, a -> x[a] && y[a], "and");
                assertHolds(bdd, or, a -> x[a] || y[a], "or");
                assertHolds(bdd, minus, a -> x[a] && !y[a], "minus");
                for (int node : new int[] {and, or, minus}) bdd.free(node);
            }
        }
    }

    /** The set whose member {@code a} is {@code table[a]}, variable 0 the most significant bit. */
    private static int fromTable(Bdd bdd, boolean[] table, int variable, int offset) {
        if (variable == VARIABLES) return table[offset] ? Bdd.TRUE : Bdd.FALSE;
        int half = 1 << (VARIABLES - 1 - variable);
        int low = fromTable(bdd, table, variable + 1, offset);
        int high = fromTable(bdd, table, variable + 1, offset + half);
        int node = bdd.node(variable, low, high);
        bdd.free(low);
        bdd.free(high);
        return node;
    }

    /** Whether some (every) value of the variables first..first+count-1 puts assignment a in the table. */
    private static boolean anyOver(boolean[] table, int a, int first, int count, boolean some) {
        int shift = VARIABLES - first - count;
        int mask = ((1 << count) - 1) << shift;
        for (int values = 0; values < 1 << count; values++) {
            if (table[(a & ~mask) | values << shift] == some) return some;
        }
        return !some;
    }

    private static void assertHolds(Bdd bdd, int set, java.util.function.IntPredicate expected, String what) {
        for (int a = 0; a < 1 << VARIABLES; a++) {
            boolean[] bits = new boolean[VARIABLES];
            for (int v = 0; v < VARIABLES; v++) bits[v] = (a >> (VARIABLES - 1 - v) & 1) == 1;
            assertEquals(expected.test(a), bdd.holds(set, bits), what + " at " + a);
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
