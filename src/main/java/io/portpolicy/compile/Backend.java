package io.portpolicy.compile;

import io.portpolicy.diag.Diagnostic;
import io.portpolicy.model.Os;

import java.util.List;
import java.util.Optional;

/**
 * One compile target ({@code --target NAME}). A backend turns the effective policy of one
 * target (a host, or a group for cloud backends) into the text of that target's native
 * configuration, admitting exactly the packets the policy admits, or refuses with a
 * {@link CompileException} naming the rule it cannot express.
 */
public interface Backend {

    /** The {@code --target} value. */
    String name();

    /** The {@code --format} values it accepts; the first is the default. */
    List<String> formats();

    /** Whether it configures groups (cloud targets) rather than hosts. */
    boolean forGroups();

    /**
     * The operating system a host target's configuration runs on; empty for cloud targets.
     * {@code compile --all} warns of the hosts declared to run another.
     */
    default Optional<Os> os() {
        return Optional.empty();
    }

    /** The settings {@code .portpolicy.yaml} may change under {@code targets: {NAME: ...}}. */
    default List<TargetOption> options() {
        return List.of();
    }

    /** Compiles one target. Output must be deterministic: the same request gives the same bytes. */
    Artifact compile(CompileRequest request) throws CompileException;

    /**
     * Refuses the target exactly as {@link #compile} would, without writing its text: lint
     * (PP503) asks this of every group for every cloud target, and writing thousands of entries
     * only to drop them was a fifth of its time (docs/performance.md, ninth round).
     */
    default void check(CompileRequest request) throws CompileException {
        compile(request);
    }

    /**
     * What the user should know about a target that compiles, as warnings: they change neither
     * the output nor the exit status (Azure: a member address NSG rules never see).
     */
    default List<Diagnostic> warnings(CompileRequest request) {
        return List.of();
    }
}
