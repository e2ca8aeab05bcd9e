package io.portpolicy.model;

import io.portpolicy.source.Location;

import java.util.List;

/** Named address space: addresses, CIDRs and ranges. */
public record Network(String name, List<AddressLiteral> blocks, Location location) {

    public Network {
        blocks = List.copyOf(blocks);
    }
}
