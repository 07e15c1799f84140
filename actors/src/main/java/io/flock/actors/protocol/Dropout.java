package io.flock.actors.protocol;

/**
 * One sampled node that did not contribute to a round, and why.
 *
 * @param nodeId the node's id (its actor name)
 * @param reason the category
 * @param detail a human-readable explanation
 */
public record Dropout(String nodeId, DropoutReason reason, String detail) implements CborSerializable {

  @Override
  public String toString() {
    return nodeId + ": " + reason + " (" + detail + ")";
  }
}
