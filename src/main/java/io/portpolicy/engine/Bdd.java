package io.portpolicy.engine;

import org.logicng.knowledgecompilation.bdds.jbuddy.BDDConstruction;
import org.logicng.knowledgecompilation.bdds.jbuddy.BDDKernel;

import java.util.HashMap;
import java.util.Map;

/**
 * A thin, reference-safe face on LogicNG's BuDDy kernel. The kernel frees unreferenced nodes
 * whenever it collects garbage, so every result returned here is already referenced; callers
 * {@link #free} the temporaries they no longer need and simply keep the rest.
 */
final class Bdd {

    static final int TRUE = BDDKernel.BDD_TRUE;
    static final int FALSE = BDDKernel.BDD_FALSE;

    private final Kernel kernel;
    private final BDDConstruction ops;
    private final int[] vars;
    private final int[] notVars;
    /** The nodes the current walk has reached ({@link #startWalk}): a bit each, and a list to clear them by. */
    private long[] reached = new long[0];
    private int[] touched = new int[64];
    private int touchedCount;

    /**
     * @param nodes the node table's starting size. Size it for the work ahead: a full table is
     *              garbage-collected (every live node marked) and then doubled, so a table much
     *              smaller than the live set costs several such rounds. Each of the kernel's six
     *              operation caches (those of ite, replace and appex go unused here) is a
     *              sixty-fourth of it, at least 1,024 entries: they are arrays of small objects,
     *              made at once. At a quarter of the table, a 10,000-rule lint's caches were
     *              150 MB, copied by every young collection (docs/performance.md, sixth round);
     *              since tables start at the size the work needs (eighth round), a sixteenth
     *              made that lint slower and 330 MB larger.
     */
    Bdd(int variables, int nodes) {
        kernel = new Kernel(variables, nodes, Math.max(1 << 10, nodes / 64));
        ops = new BDDConstruction(kernel);
        vars = new int[variables];
        notVars = new int[variables];
        for (int i = 0; i < variables; i++) {
            vars[i] = keep(ops.ithVar(i));
            notVars[i] = keep(ops.nithVar(i));
        }
    }

    int variable(int index) {
        return vars[index];
    }

    int notVariable(int index) {
        return notVars[index];
    }

    int and(int a, int b) {
        return keep(ops.and(a, b));
    }

    int or(int a, int b) {
        return keep(ops.or(a, b));
    }

    int not(int a) {
        return keep(ops.not(a));
    }

    /** a and not b, in one pass over both: no complement of b is built. */
    int minus(int a, int b) {
        return keep(kernel.difference(a, b));
    }

    /** a or b, freeing both: for building a union out of sets made for it. */
    int orFree(int a, int b) {
        int result = or(a, b);
        free(a);
        free(b);
        return result;
    }

    /** a and b, freeing both: for building an intersection out of sets made for it. */
    int andFree(int a, int b) {
        int result = and(a, b);
        free(a);
        free(b);
        return result;
    }

    /** a and not b, freeing a only: for whittling a set of one's own down by sets one borrows. */
    int minusFree(int a, int b) {
        int result = minus(a, b);
        free(a);
        return result;
    }

    /** Whether every element of a is in b; builds no node. */
    boolean subset(int a, int b) {
        return kernel.subset(a, b);
    }

    /** Whether a and b share an element; builds no node and stops at the first one found. */
    boolean intersects(int a, int b) {
        return kernel.intersects(a, b);
    }

    /** The variables first..first+count-1, as the "variable set" the quantifiers take. */
    int variables(int first, int count) {
        int set = TRUE;
        for (int v = first + count - 1; v >= first; v--) {
            int next = node(v, FALSE, set);
            free(set);
            set = next;
        }
        return set;
    }

    /** Whether some value of the variables in {@code variables} puts the rest in a. */
    int exists(int a, int variables) {
        return keep(ops.exists(a, variables));
    }

    /** Whether every value of the variables in {@code variables} puts the rest in a. */
    int forAll(int a, int variables) {
        return keep(ops.forAll(a, variables));
    }

    /**
     * The node testing {@code variable} with the given children, which must test only later
     * variables and be referenced by the caller. Building a known shape (a range, a prefix)
     * node by node is far cheaper than combining single-variable BDDs with and/or.
     */
    int node(int variable, int low, int high) {
        return keep(kernel.node(variable, low, high));
    }

    /**
     * A diagram of another BDD over as many variables, rebuilt here with each variable
     * {@code v} renamed to {@code renamed[v]}. The renaming must keep the order of the
     * variables the diagram tests; then the copy is node for node, one lookup per node.
     */
    int copyOf(Bdd source, int root, int[] renamed) {
        Map<Integer, Integer> copies = new HashMap<>();
        int result = keep(copy(source, root, renamed, copies));
        copies.values().forEach(this::free);
        return result;
    }

    private int copy(Bdd source, int node, int[] renamed, Map<Integer, Integer> copies) {
        if (isTerminal(node)) return node;
        Integer done = copies.get(node);
        if (done != null) return done;
        int low = copy(source, source.low(node), renamed, copies);
        int high = copy(source, source.high(node), renamed, copies);
        int result = node(renamed[source.var(node)], low, high);
        copies.put(node, result);
        return result;
    }

    /** Empties every operation memo (the results stay exact; only what is remembered goes). */
    void clearMemos() {
        kernel.resetCaches();
    }

    void free(int node) {
        if (node != TRUE && node != FALSE) kernel.delRef(node);
    }

    int keep(int node) {
        return kernel.addRef(node, null);
    }

    // ---- traversal, for evaluating packets and describing sets --------------------

    // Read off the kernel's node table directly: the walks call these for every node they
    // visit, and LogicNG's public accessors check the node and map its level each time.

    /** The variable tested at a non-terminal node. */
    int var(int node) {
        return kernel.variableAt(node);
    }

    int low(int node) {
        return kernel.lowOf(node);
    }

    int high(int node) {
        return kernel.highOf(node);
    }

    static boolean isTerminal(int node) {
        return node == TRUE || node == FALSE;
    }

    /**
     * One member of a non-empty set, as a value of every variable: the path that takes the low
     * branch ({@code lowFirst}) or the high branch wherever that branch holds a member, with
     * the variables the path skips at that same value.
     */
    boolean[] member(int node, boolean lowFirst) {
        boolean[] bits = new boolean[vars.length];
        if (!lowFirst) java.util.Arrays.fill(bits, true);
        while (!isTerminal(node)) {
            int preferred = lowFirst ? low(node) : high(node);
            if (preferred == FALSE) {
                bits[var(node)] = lowFirst;
                node = lowFirst ? high(node) : low(node);
            } else {
                bits[var(node)] = !lowFirst;
                node = preferred;
            }
        }
        return bits;
    }

    /** The node table's size: at least what the BDD was made for. */
    int tableSize() {
        return kernel.tableSize();
    }

    /**
     * Starts a walk over diagrams that visits each node once ({@link #firstVisit}): a bit per
     * node of the table, of which only those the last walk set are cleared, so a walk costs
     * what it visits, and no boxed number per node as a hash set would. No node may be made
     * while a walk goes on.
     */
    void startWalk() {
        int words = (kernel.tableSize() + Long.SIZE - 1) / Long.SIZE;
        if (reached.length < words) {
            reached = new long[words];
        } else {
            for (int i = 0; i < touchedCount; i++) reached[touched[i] >>> 6] = 0L;
        }
        touchedCount = 0;
    }

    /** Whether the current walk reaches the node for the first time (and marks it reached). */
    boolean firstVisit(int node) {
        long bit = 1L << node;
        if ((reached[node >>> 6] & bit) != 0) return false;
        reached[node >>> 6] |= bit;
        if (touchedCount == touched.length) touched = java.util.Arrays.copyOf(touched, touchedCount * 2);
        touched[touchedCount++] = node;
        return true;
    }

    /** Whether the set holds the member whose variables have these values. */
    boolean holds(int node, boolean[] bits) {
        while (!isTerminal(node)) node = bits[var(node)] ? high(node) : low(node);
        return node == TRUE;
    }

    /**
     * Opens the kernel's node constructor, its documented extension point, to this package, and
     * adds the operations its {@code apply} lacks: difference (LogicNG has no difference
     * operator, and {@code a and not b} first copies all of b negated) and the two emptiness
     * questions, answered by walking both diagrams without building the result.
     *
     * <p>It also replaces two of the kernel's data structures whose layout cost memory reads:
     * the unique table's chain heads ({@link #makeNode}, {@link #gbc}, {@link #gbcRehash}) and
     * the memo of and/or ({@link #applyRec}). A 10,000-rule lint makes 17 million node
     * lookups in tables of up to 100 MB, and each read of a line not in the processor's cache
     * costs some 160 ns on the machines measured. The node table itself, the collection's
     * marking and the other operations are the kernel's, unchanged (LogicNG 2.6.0, pinned).
     *
     * <p>Variable reordering is never enabled, so a node's level is its variable and no reorder
     * request can arise.
     */
    private static final class Kernel extends BDDKernel {

        /** Where a node's fields sit in its six ints of the kernel's table. */
        private static final int LEVEL = 1;
        private static final int LOW = 2;
        private static final int HIGH = 3;
        private static final int NEXT = 5;

        /** Direct-mapped memo of differences; emptied whenever the kernel collects garbage. */
        private int[] differenceKeys;
        private int[] differenceResults;
        /** Direct-mapped memo of pairs found disjoint (or contained) during one question. */
        private long[] visitedKeys;
        private int[] visitedStamps;
        private int stamp;

        Kernel(int variables, int nodes, int cache) {
            // No formula factory: the kernel keeps one only to turn diagrams into formulas
            // (BDDOperations.toFormula), which this engine never does, and making the first one
            // loads and initialises some 45 classes, 15 ms of every command (docs/performance.md).
            super(null, variables, nodes, cache);
            growEarlyAndGeometrically();
            int size = Integer.highestOneBit(Math.max(1 << 10, cache));
            applyMemo = new int[4 * size];
            java.util.Arrays.fill(applyMemo, -1);
            differenceKeys = new int[2 * size];
            differenceResults = new int[size];
            java.util.Arrays.fill(differenceKeys, -1);
            visitedKeys = new long[size];
            visitedStamps = new int[size];
        }

        int node(int variable, int low, int high) {
            return makeNode(variable, low, high);
        }

        /**
         * The unique table's chain heads, in an array of their own: LogicNG keeps each one in
         * a 24-byte node entry, so finding a chain read one more line of a table of many
         * megabytes than finding the node itself (docs/performance.md, eleventh round). The
         * chains still run through the nodes' own {@code next} fields, and the hash is the
         * kernel's own, which keeps nodes made together close together.
         */
        private int[] buckets;

        private int bucket(int level, int low, int high) {
            return Math.abs(triple(level, low, high)) & (buckets.length - 1);
        }

        /** One head per node of the table, rounded up to a power of two, all empty. */
        private void clearBuckets() {
            int size = Integer.highestOneBit(Math.max(nodesize, 4) - 1) << 1;
            if (buckets == null || buckets.length != size) {
                buckets = new int[size];
            } else {
                java.util.Arrays.fill(buckets, 0);
            }
        }

        /** The kernel's node constructor, with its chains found through {@link #buckets}. */
        @Override
        protected int makeNode(int level, int low, int high) {
            if (low == high) return low;
            if (buckets == null) {
                // Called by the kernel's own constructor, before this class's fields are set.
                gbcRehash();
            }
            int[] table = nodes;
            int bucket = bucket(level, low, high);
            for (int node = buckets[bucket]; node != 0; node = table[6 * node + NEXT]) {
                if (table[6 * node + LEVEL] == level && table[6 * node + LOW] == low && table[6 * node + HIGH] == high) {
                    return node;
                }
            }
            if (freepos == 0) {
                gbc();
                if (freenum * 100 / nodesize <= minfreenodes) nodeResize(true);
                if (freepos == 0) throw new IllegalStateException("Cannot allocate more space for more nodes.");
                table = nodes;
                bucket = bucket(level, low, high);
            }
            int node = freepos;
            freepos = table[6 * node + NEXT];
            freenum--;
            produced++;
            table[6 * node + LEVEL] = level;
            table[6 * node + LOW] = low;
            table[6 * node + HIGH] = high;
            table[6 * node + NEXT] = buckets[bucket];
            buckets[bucket] = node;
            return node;
        }

        /** The kernel's collection: marks what is referenced or being built, frees the rest. */
        @Override
        protected void gbc() {
            for (int r = 0; r < refstacktop; r++) mark(refstack[r]);
            for (int n = 0; n < nodesize; n++) if (refcou(n) > 0) mark(n);
            int[] table = nodes;
            for (int n = 2; n < nodesize; n++) {
                if ((table[6 * n + LEVEL] & MARKON) != 0 && table[6 * n + LOW] != -1) {
                    table[6 * n + LEVEL] &= MARKOFF;
                } else {
                    table[6 * n + LOW] = -1;
                }
            }
            gbcRehash();
            resetCaches();
            gbcollectnum++;
        }

        /** Threads every live node into its chain and every free one (low -1) into the free list. */
        @Override
        protected void gbcRehash() {
            clearBuckets();
            freepos = 0;
            freenum = 0;
            int[] table = nodes;
            for (int n = nodesize - 1; n >= 2; n--) {
                if (table[6 * n + LOW] != -1) {
                    int bucket = bucket(table[6 * n + LEVEL], table[6 * n + LOW], table[6 * n + HIGH]);
                    table[6 * n + NEXT] = buckets[bucket];
                    buckets[bucket] = n;
                } else {
                    table[6 * n + NEXT] = freepos;
                    freepos = n;
                    freenum++;
                }
            }
        }

        /**
         * Results of and and or, four ints an entry (both operands, the operation, the result)
         * read in one line; the kernel's own cache holds an object per entry, two reads.
         * Emptied whenever the kernel collects garbage.
         */
        private int[] applyMemo;

        /** The kernel's and and or, memoised in {@link #applyMemo}; its other operations as they are. */
        @Override
        protected int applyRec(int l, int r, Operand op) {
            boolean and = op == Operand.AND;
            if (!and && op != Operand.OR) return super.applyRec(l, r, op);
            if (l == r) return l;
            if (and) {
                if (l == BDD_FALSE || r == BDD_FALSE) return BDD_FALSE;
                if (l == BDD_TRUE) return r;
                if (r == BDD_TRUE) return l;
            } else {
                if (l == BDD_TRUE || r == BDD_TRUE) return BDD_TRUE;
                if (l == BDD_FALSE) return r;
                if (r == BDD_FALSE) return l;
            }
            int operation = and ? 0 : 1;
            int hash = l * 0x9E3779B1 + r * 0x85EBCA77 + operation;
            int entry = 4 * ((hash ^ (hash >>> 15)) & (applyMemo.length / 4 - 1));
            int[] memo = applyMemo;
            if (memo[entry] == l && memo[entry + 1] == r && memo[entry + 2] == operation) return memo[entry + 3];
            int levelL = level(l);
            int levelR = level(r);
            int top = Math.min(levelL, levelR);
            pushRef(applyRec(levelL == top ? low(l) : l, levelR == top ? low(r) : r, op));
            pushRef(applyRec(levelL == top ? high(l) : l, levelR == top ? high(r) : r, op));
            int result = makeNode(top, readRef(2), readRef(1));
            popref(2);
            // makeNode may have collected garbage and emptied the memo; this entry is current.
            memo[entry] = l;
            memo[entry + 1] = r;
            memo[entry + 2] = operation;
            memo[entry + 3] = result;
            return result;
        }

        /** The node table's size: every node number is below it. */
        int tableSize() {
            return nodesize;
        }

        /** A node's level is its variable: the kernel never reorders. */
        int variableAt(int node) {
            return level(node);
        }

        int lowOf(int node) {
            return low(node);
        }

        int highOf(int node) {
            return high(node);
        }

        /**
         * BuDDy grows a full node table by at most 50,000 nodes, after a garbage collection
         * that marks every live node and before a copy of the whole table. With millions of
         * live nodes (10,000 rules) that is a full mark and copy per 50,000 new nodes, quadratic
         * in the live set; doubling the table instead makes both amortised constant per node.
         * It also grows the table only when a collection freed under a fifth of it, so a table
         * four-fifths live is collected again and again; growing when under half is freed took
         * a tenth off a 10,000-rule lint (docs/performance.md, sixth round). LogicNG has no
         * setters for either, so they are set on the fields; should that ever fail, the kernel
         * keeps its own settings and is only slower.
         */
        private void growEarlyAndGeometrically() {
            try {
                java.lang.reflect.Field limit = BDDKernel.class.getDeclaredField("maxnodeincrease");
                limit.setAccessible(true);
                limit.setInt(this, 1 << 26);
                java.lang.reflect.Field minimumFreed = BDDKernel.class.getDeclaredField("minfreenodes");
                minimumFreed.setAccessible(true);
                minimumFreed.setInt(this, 50);
            } catch (ReflectiveOperationException | RuntimeException slowerGrowth) {
                // The default settings are correct, only slower for large policies.
            }
        }

        @Override
        protected void resetCaches() {
            super.resetCaches();
            // Node numbers are reused after a collection: forget every remembered difference.
            if (differenceKeys != null) java.util.Arrays.fill(differenceKeys, -1);
            if (applyMemo != null) java.util.Arrays.fill(applyMemo, -1);
        }

        int difference(int a, int b) {
            initRef();
            return differenceRec(a, b);
        }

        private int differenceRec(int a, int b) {
            if (a == BDD_FALSE || b == BDD_TRUE || a == b) return BDD_FALSE;
            if (b == BDD_FALSE) return a;
            int slot = slot(a, b);
            if (differenceKeys[2 * slot] == a && differenceKeys[2 * slot + 1] == b) return differenceResults[slot];
            int levelA = a == BDD_TRUE ? Integer.MAX_VALUE : level(a);
            int levelB = level(b);
            int top = Math.min(levelA, levelB);
            int lowA = levelA == top ? low(a) : a;
            int highA = levelA == top ? high(a) : a;
            int lowB = levelB == top ? low(b) : b;
            int highB = levelB == top ? high(b) : b;
            pushRef(differenceRec(lowA, lowB));
            pushRef(differenceRec(highA, highB));
            int result = makeNode(top, readRef(2), readRef(1));
            popref(2);
            // makeNode may have collected garbage and emptied the memo; this entry is current.
            differenceKeys[2 * slot] = a;
            differenceKeys[2 * slot + 1] = b;
            differenceResults[slot] = result;
            return result;
        }

        boolean intersects(int a, int b) {
            stamp++;
            return meets(a, b);
        }

        private boolean meets(int a, int b) {
            if (a == BDD_FALSE || b == BDD_FALSE) return false;
            if (a == BDD_TRUE || b == BDD_TRUE || a == b) return true;
            long key = ((long) a << 32) | (b & 0xffffffffL);
            int slot = slot(a, b);
            if (visitedStamps[slot] == stamp && visitedKeys[slot] == key) return false;
            int levelA = level(a);
            int levelB = level(b);
            int top = Math.min(levelA, levelB);
            boolean meet = meets(levelA == top ? low(a) : a, levelB == top ? low(b) : b)
                    || meets(levelA == top ? high(a) : a, levelB == top ? high(b) : b);
            if (!meet) {
                visitedStamps[slot] = stamp;
                visitedKeys[slot] = key;
            }
            return meet;
        }

        boolean subset(int a, int b) {
            stamp++;
            return within(a, b);
        }

        private boolean within(int a, int b) {
            if (a == BDD_FALSE || b == BDD_TRUE || a == b) return true;
            if (b == BDD_FALSE || a == BDD_TRUE) return false;
            long key = ((long) a << 32) | (b & 0xffffffffL);
            int slot = slot(a, b);
            if (visitedStamps[slot] == stamp && visitedKeys[slot] == key) return true;
            int levelA = level(a);
            int levelB = level(b);
            int top = Math.min(levelA, levelB);
            boolean inside = within(levelA == top ? low(a) : a, levelB == top ? low(b) : b)
                    && within(levelA == top ? high(a) : a, levelB == top ? high(b) : b);
            if (inside) {
                visitedStamps[slot] = stamp;
                visitedKeys[slot] = key;
            }
            return inside;
        }

        private int slot(int a, int b) {
            int hash = a * 0x9E3779B1 + b * 0x85EBCA77;
            return (hash ^ (hash >>> 15)) & (visitedStamps.length - 1);
        }
    }
}
