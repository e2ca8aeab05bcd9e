package io.portpolicy.compile.cloud;

import io.portpolicy.compile.CompileException;
import io.portpolicy.model.Policy;

/**
 * Refusals of the names cloud backends derive from a group's name (a security group's name, a
 * network tag), located at the group's definition: the group's name is what the user changes.
 */
public final class GroupNames {

    private GroupNames() {
    }

    /** A refusal of {@code group}'s name, at the statement defining the group. */
    public static CompileException refusal(Policy policy, String group, String message, String hint) {
        return CompileException.at(policy.groups().get(group).location(), message, hint);
    }
}
