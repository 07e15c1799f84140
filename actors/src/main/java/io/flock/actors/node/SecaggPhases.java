package io.flock.actors.node;

import io.flock.actors.round.SecaggRound;
import io.flock.actors.round.SecaggTask;
import io.flock.actors.transfer.BytesPayload;
import io.flock.privacy.identity.NodeIdentity;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * A {@link TrainingNode}'s side of the secure-aggregation phases ({@link TrainingNode.AdvertiseKeys}
 * to {@link TrainingNode.Unmask}): the {@link SecaggParticipant} of the one round whose update the
 * node keeps, the check that a phase command comes from the round manager that sent that round's
 * train request (anyone else gets {@link SecaggRound.PhaseDeclined}), and masking the update off
 * the actor thread. Owned and used by the node's actor only.
 */
final class SecaggPhases {

  private final ActorSystem<?> system;
  private final Executor blocking;
  private final String nodeId;
  private final NodeIdentity identity;
  // The round this node keeps its update for, under secure aggregation (one at a time).
  private SecaggParticipant participant;

  SecaggPhases(ActorSystem<?> system, String nodeId, NodeIdentity identity) {
    this.system = system;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("flock.blocking-dispatcher"));
    this.nodeId = nodeId;
    this.identity = identity;
  }

  /** Forgets what an older round kept: a newer round was asked for. */
  void forget() {
    participant = null;
  }

  /**
   * Keeps {@code update} (handed over, not copied) for the phases of {@code task}'s round, asked
   * for by the train request with reply address {@code trainReplyTo}.
   *
   * @throws IllegalArgumentException when the node cannot take part; then nothing is kept
   */
  void keep(SecaggTask task, ActorRef<?> trainReplyTo, float[] update) {
    participant = null;
    participant = SecaggParticipant.create(nodeId, task, identity, trainReplyTo, update);
  }

  void onAdvertiseKeys(TrainingNode.AdvertiseKeys m) {
    answer(m.round(), "advertise-keys", m.replyTo(), p -> p.advertiseKeys());
  }

  void onShareKeys(TrainingNode.ShareKeys m) {
    answer(m.round(), "share-keys", m.replyTo(), p -> p.shareKeys(m.keys()));
  }

  /** The round's last phase: once answered, nothing of the round is kept. */
  void onUnmask(TrainingNode.Unmask m) {
    if (answer(m.round(), "unmask", m.replyTo(), p -> p.unmask(m.request()))) {
      participant = null; // the round's last phase: nothing of it is kept
    }
  }

  /**
   * Masks the kept update on the blocking dispatcher (~34 ms per 200k coordinates), or declines the
   * phase. Returns the masked input's reply on its way, or null when there is nothing to wait for.
   */
  CompletableFuture<SecaggRound.Reply> onMaskInput(TrainingNode.MaskInput m) {
    if (m.replyTo() == null) {
      return null;
    }
    String problem = phaseProblem(m.round(), m.replyTo());
    if (problem != null) {
      m.replyTo().tell(new SecaggRound.PhaseDeclined(m.round(), nodeId, "masked-input", problem));
      return null;
    }
    SecaggParticipant p = participant;
    // The masked input travels like an update: inline in one JVM or when small, else a claim.
    return CompletableFuture.supplyAsync(
        () -> p.maskInput(m.shares(), bytes -> BytesPayload.payloadFor(bytes, m.replyTo(), system)), blocking);
  }

  /**
   * Answers a secure-aggregation phase of the kept round, or declines it; true when it answered
   * (the request came from the kept round).
   */
  private boolean answer(long round, String phase, ActorRef<SecaggRound.Reply> replyTo,
      Function<SecaggParticipant, SecaggRound.Reply> step) {
    if (replyTo == null) {
      return false;
    }
    String problem = phaseProblem(round, replyTo);
    if (problem != null) {
      replyTo.tell(new SecaggRound.PhaseDeclined(round, nodeId, phase, problem));
      return false;
    }
    replyTo.tell(step.apply(participant));
    return true;
  }

  /** Why this node does not answer a phase of {@code round} asked with {@code replyTo}, or null. */
  private String phaseProblem(long round, ActorRef<SecaggRound.Reply> replyTo) {
    if (participant == null || participant.round() != round) {
      return "this node keeps no update for round " + round;
    }
    return participant.foreign(replyTo);
  }
}
