package io.portpolicy.engine;

/**
 * A header field laid out as consecutive BDD variables, most significant bit first, so that
 * CIDR prefixes and port ranges become short paths.
 *
 * @param offset the first variable
 * @param width  the number of variables (bits)
 */
record Field(String name, int offset, int width) {

    int end() {
        return offset + width;
    }

    boolean holds(int variable) {
        return variable >= offset && variable < end();
    }
}
