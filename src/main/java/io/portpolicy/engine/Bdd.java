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

    private final BDDKernel kernel;
    private final BDDConstruction ops;
    private final int[] vars;
    private final int[] notVars;

    Bdd(int variables) {
        kernel = new BDDKernel(new FormulaFactory(), variables, 1 << 18, 1 << 16);
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

    /** a and not b. */
    int minus(int a, int b) {
        int notB = not(b);
        int result = and(a, notB);
        free(notB);
        return result;
    }

    /** Whether every element of a is in b, without keeping any new node. */
    boolean implies(int a, int b) {
        int rest = minus(a, b);
        boolean empty = rest == FALSE;
        free(rest);
        return empty;
    }

    boolean intersects(int a, int b) {
        int both = and(a, b);
        boolean any = both != FALSE;
        free(both);
        return any;
    }

    /** Cofactor: {@code a} with the variables of the cube {@code assignment} fixed. */
    int restrict(int a, int assignment) {
        return keep(ops.restrict(a, assignment));
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
}
