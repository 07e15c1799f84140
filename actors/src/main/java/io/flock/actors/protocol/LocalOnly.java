package io.flock.actors.protocol;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * Marker for messages that by design never leave their JVM: a node's hand-off of its local data
 * to a training worker of the same JVM. Such messages carry references to local data, which is
 * the point of federated learning: the data stays where it is, only updates travel.
 */
public interface LocalOnly extends NoSerializationVerificationNeeded {}
