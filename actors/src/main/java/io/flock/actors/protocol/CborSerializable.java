package io.flock.actors.protocol;

/**
 * Marker for every Flock message that may cross a JVM boundary. Bound to Pekko's {@code
 * jackson-cbor} serializer in this module's {@code reference.conf}.
 */
public interface CborSerializable {}
