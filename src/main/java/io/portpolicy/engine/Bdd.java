package io.portpolicy.engine;

import org.logicng.formulas.FormulaFactory;
import org.logicng.knowledgecompilation.bdds.jbuddy.BDDConstruction;
import org.logicng.knowledgecompilation.bdds.jbuddy.BDDKernel;

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

    /**
     * @param nodes the node table's starting size. Size it for the work ahead: the kernel grows
     *              the table by at most 50,000 nodes at a time, collecting garbage each time, so
     *              a table much smaller than the live set makes every operation slow.
     */
    Bdd(int variables, int nodes) {
        kernel = new Kernel(variables, nodes, Math.max(1 << 14, nodes / 4));
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

    /** a and not b. Costs a negation of b: keep b the small operand. */
    int minus(int a, int b) {
        int notB = not(b);
        int result = and(a, notB);
        free(notB);
        return result;
    }

    /** Whether every element of a is in b: one implication, no complement of either. */
    boolean subset(int a, int b) {
        int implication = ops.implication(a, b);
        return implication == TRUE;
    }

    boolean intersects(int a, int b) {
        int both = and(a, b);
        boolean any = both != FALSE;
        free(both);
        return any;
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

    void free(int node) {
        if (node != TRUE && node != FALSE) kernel.delRef(node);
    }

    int keep(int node) {
        return kernel.addRef(node, null);
    }

    // ---- traversal, for evaluating packets and describing sets --------------------

    /** The variable tested at a non-terminal node. */
    int var(int node) {
        return ops.bddVar(node);
    }

    int low(int node) {
        return ops.bddLow(node);
    }

    int high(int node) {
        return ops.bddHigh(node);
    }

    static boolean isTerminal(int node) {
        return node == TRUE || node == FALSE;
    }

    /** Opens the kernel's node constructor, its documented extension point, to this package. */
    private static final class Kernel extends BDDKernel {
        Kernel(int variables, int nodes, int cache) {
            super(new FormulaFactory(), variables, nodes, cache);
        }

        int node(int variable, int low, int high) {
            // Variable reordering is never enabled, so no reorder request can arise here.
            return makeNode(variable, low, high);
        }
    }
}
