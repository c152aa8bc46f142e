package org.jzeo.server.storage;

import java.util.Optional;

/** A storage whose pack takes long enough to be worth watching: it tells how far a running pack has got. */
public interface PackProgressSource {

    /** The progress of the pack running now, or empty when none runs. Cheap, callable from any thread. */
    Optional<PackProgress> packProgress();
}
