package io.portpolicy.check;

import io.portpolicy.source.Location;

/** A piece of text from a policy or inventory file and where it was written. */
record Located(String text, Location location) {
}
