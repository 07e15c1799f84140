package io.flock.actors.coordinator;

import io.flock.actors.node.TrainingNode;
import io.flock.privacy.identity.Allowlist;
import io.flock.privacy.identity.NodeIdentity;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.slf4j.Logger;

/**
 * The coordinator's view of the training nodes: those the receptionist lists and, under an
 * allowlist, only those that proved their identity ({@link Admission}). Nodes are admitted by
 * reference: a node that restarts (a new incarnation under the same name) proves its identity
 * again, and one key admits one live node. Not thread-safe: the coordinator's state, touched only
 * from its messages.
 */
final class NodeRoster {

  private final Admission admission; // null: every listed node may train
  private final ActorRefResolver resolver;
  private final ActorRef<TrainingNode.Identified> replyTo;
  private final Logger log;
  private List<ActorRef<TrainingNode.Command>> listed = List.of();
  private List<ActorRef<TrainingNode.Command>> nodes = List.of();
  private final Set<ActorRef<TrainingNode.Command>> refused = new HashSet<>();
  private final Map<String, ActorRef<TrainingNode.Command>> challenged = new HashMap<>();
  private final Map<String, ActorRef<TrainingNode.Command>> keyHolders = new HashMap<>();
  // The admitted nodes and the public key each one proved it holds.
  private final Map<ActorRef<TrainingNode.Command>, byte[]> admitted = new HashMap<>();

  /**
   * @param allowlist the federation's allowlist, or null to let every listed node train
   * @param replyTo where challenged nodes answer ({@link #identified} takes the answers)
   */
  NodeRoster(Allowlist allowlist, ActorRefResolver resolver, ActorRef<TrainingNode.Identified> replyTo,
      Logger log) {
    this.admission = allowlist == null ? null : new Admission(allowlist, new SecureRandom());
    this.resolver = resolver;
    this.replyTo = replyTo;
    this.log = log;
  }

  /** Whether nodes must prove their identity (and {@link #retryChallenges} has work to do). */
  boolean admits() {
    return admission != null;
  }

  /** The nodes rounds sample from: the listed ones, admitted ones only under an allowlist. */
  List<ActorRef<TrainingNode.Command>> nodes() {
    return nodes;
  }

  /**
   * The verified ML-DSA-65 public key of every node rounds sample from, by node id: what secure
   * aggregation checks the nodes' signatures with. Empty without an allowlist.
   */
  Map<String, byte[]> identityKeys() {
    Map<String, byte[]> keys = new java.util.TreeMap<>();
    for (ActorRef<TrainingNode.Command> node : nodes) {
      byte[] key = admitted.get(node);
      if (key != null) {
        keys.put(node.path().name(), key);
      }
    }
    return keys;
  }

  /** A new receptionist listing: nodes that left are forgotten, new ones are challenged. */
  void listed(List<ActorRef<TrainingNode.Command>> listing) {
    listed = List.copyOf(listing);
    if (admission != null) {
      admitted.keySet().retainAll(listed);
      refused.retainAll(listed);
      keyHolders.values().removeIf(holder -> !listed.contains(holder));
      for (ActorRef<TrainingNode.Command> node : listed) {
        String id = node.path().name();
        if (!admitted.containsKey(node) && !refused.contains(node) && !node.equals(challenged.get(id))) {
          challenge(id, node);
        }
      }
    }
    update();
  }

  /**
   * Challenges again every listed node whose answer has not come (a lost message, a node that
   * restarted under the same reference); forgets challenges to nodes no longer listed.
   */
  void retryChallenges() {
    for (var e : new ArrayList<>(challenged.entrySet())) {
      if (listed.contains(e.getValue())) {
        challenge(e.getKey(), e.getValue());
      } else {
        challenged.remove(e.getKey());
        admission.forget(e.getKey());
      }
    }
  }

  /** A node's answer to its challenge: admits or refuses it (logged with the reason). */
  void identified(TrainingNode.Identified id) {
    ActorRef<TrainingNode.Command> node = challenged.remove(id.nodeId());
    if (node == null || admission == null) {
      return;
    }
    String reason = admission.verify(id.nodeId(), id.publicKey(), id.signature());
    String fingerprint = reason == null ? NodeIdentity.fingerprint(id.publicKey()) : null;
    if (fingerprint != null) {
      ActorRef<TrainingNode.Command> holder = keyHolders.get(fingerprint);
      if (holder != null && !holder.equals(node) && admitted.containsKey(holder)) {
        reason = "key " + fingerprint + " is already in use by " + holder.path().name();
      }
    }
    if (reason == null) {
      keyHolders.put(fingerprint, node);
      admitted.put(node, id.publicKey().clone());
      log.info("admitted {} (key {})", id.nodeId(), fingerprint.substring(0, 16));
    } else {
      refused.add(node);
      log.warn("refused {}: {}", id.nodeId(), reason);
    }
    update();
  }

  private void challenge(String id, ActorRef<TrainingNode.Command> node) {
    challenged.put(id, node);
    node.tell(new TrainingNode.Identify(admission.challenge(id, resolver.toSerializationFormat(node)), replyTo));
  }

  private void update() {
    nodes = admission == null ? listed : listed.stream().filter(admitted::containsKey).toList();
  }
}
