package io.flock.actors.coordinator;

import io.flock.privacy.identity.Allowlist;
import io.flock.privacy.identity.NodeIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Which nodes may train: signed registration against the federation's allowlist. The coordinator
 * sends each node it discovers a fresh random challenge; the node signs {@link #message} (a
 * domain tag, the challenge, its node id and its own actor reference) with its ML-DSA-65 identity
 * key and answers with its public key and the signature. A node is admitted when the signature
 * verifies under that key for the actor the challenge went to, the key's fingerprint is on the
 * allowlist, and a key bound to a node id is used by that node. A fresh challenge per discovery
 * makes a recorded answer useless, and signing the actor reference makes a relayed one useless: an
 * impostor that forwards its challenge to the real node gets a signature over the real node's
 * reference, not its own. Pure logic; the
 * coordinator owns one and calls it from its own thread.
 */
public final class Admission {

  private static final byte[] DOMAIN = "flock-admission-v1".getBytes(StandardCharsets.US_ASCII);

  private final Allowlist allowlist;
  private final SecureRandom random;
  private final Map<String, Challenge> challenges = new HashMap<>();

  public Admission(Allowlist allowlist, SecureRandom random) {
    this.allowlist = allowlist;
    this.random = random;
  }

  /**
   * The bytes a node signs: domain tag, challenge, node id and the node's actor reference in its
   * serialized form (each length-prefixed).
   */
  public static byte[] message(byte[] challenge, String nodeId, String actorRef) {
    byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
    byte[] ref = actorRef.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(DOMAIN.length + 12 + challenge.length + id.length + ref.length)
        .put(DOMAIN).putInt(challenge.length).put(challenge).putInt(id.length).put(id)
        .putInt(ref.length).put(ref).array();
  }

  private record Challenge(byte[] bytes, String actorRef) {}

  /**
   * A 32-byte challenge for the node {@code nodeId} at {@code actorRef} (the reference the
   * challenge is sent to, serialized): the open one when that actor was asked already, else a
   * new one, replacing a challenge to an earlier actor of that name.
   */
  public byte[] challenge(String nodeId, String actorRef) {
    Challenge open = challenges.get(nodeId);
    if (open != null && open.actorRef().equals(actorRef)) {
      // Asking the same actor again (a retry): the same challenge, so that an answer to the first
      // asking, arriving late, still counts.
      return open.bytes().clone();
    }
    byte[] c = new byte[32];
    random.nextBytes(c);
    challenges.put(nodeId, new Challenge(c, actorRef));
    return c.clone();
  }

  /** Forgets the challenge of a node that left. */
  public void forget(String nodeId) {
    challenges.remove(nodeId);
  }

  /**
   * Checks an answer; the challenge is used up either way.
   *
   * @return null when the node is admitted, else why not
   */
  public String verify(String nodeId, byte[] publicKey, byte[] signature) {
    Challenge challenge = challenges.remove(nodeId);
    if (challenge == null) {
      return "no challenge is pending for " + nodeId;
    }
    if (publicKey == null || publicKey.length == 0 || signature == null) {
      return "the node has no identity key (start its member with --identities DIR)";
    }
    boolean valid;
    try {
      valid = NodeIdentity.verify(publicKey, message(challenge.bytes(), nodeId, challenge.actorRef()), signature);
    } catch (IllegalArgumentException e) {
      return "malformed public key or signature: " + e.getMessage();
    }
    if (!valid) {
      return "the signature does not verify under the node's public key for the challenged actor";
    }
    if (!allowlist.admits(publicKey)) {
      return "key " + NodeIdentity.fingerprint(publicKey) + " is not on the federation's allowlist";
    }
    String bound = allowlist.boundNode(publicKey);
    if (bound != null && !bound.equals(nodeId)) {
      return "key " + NodeIdentity.fingerprint(publicKey) + " belongs to " + bound + ", not " + nodeId;
    }
    return null;
  }
}
