package io.flock.actors.node;

import io.flock.actors.round.SecaggRound;
import io.flock.actors.round.SecaggTask;
import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggClient;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.actors.transfer.BytesPayload;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Function;
import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A node's client side of one securely aggregated round: its {@link SecaggClient} and the update it
 * keeps until it masks it (Bonawitz et al. 2017). The update never leaves this object in clear:
 * only its masked, quantized form does, and the kept copy is zeroed once masked. Used by one
 * actor; {@link #maskInput} may run on another thread while the actor waits for it.
 */
final class SecaggParticipant {

  private final long round;
  private final String nodeId;
  private final SecaggClient client;
  private final ActorPath roundManager;
  private float[] update;

  private SecaggParticipant(long round, String nodeId, SecaggClient client, ActorPath roundManager, float[] update) {
    this.round = round;
    this.nodeId = nodeId;
    this.client = client;
    this.roundManager = roundManager;
    this.update = update;
  }

  /**
   * The participant for {@code task}, keeping {@code update} (not copied: it is handed over).
   *
   * @param trainReplyTo the train request's reply address: a child of the round manager that sent
   *     it, whose secure-aggregation child alone may ask for the phases
   *
   * @throws IllegalArgumentException when the task does not fit (no identity, a key that is not
   *     this node's, bad parameters)
   */
  static SecaggParticipant create(String nodeId, SecaggTask task, NodeIdentity identity, ActorRef<?> trainReplyTo,
      float[] update) {
    if (identity == null) {
      throw new IllegalArgumentException("this node has no identity key, which secure aggregation needs");
    }
    var config = task.setup().toConfig();
    if (update.length != config.vectorLength()) {
      throw new IllegalArgumentException("the update has " + update.length + " values, the round expects "
          + config.vectorLength());
    }
    // Keys and stochastic rounding from a CSPRNG, never a seeded Random (STYLE: masks use a CSPRNG).
    SecaggClient client = SecaggClient.create(config, task.client(), identity, new SecureRandom());
    return new SecaggParticipant(config.round(), nodeId, client, trainReplyTo.path().parent(), update);
  }

  long round() {
    return round;
  }

  /**
   * Why a phase command with reply address {@code replyTo} is not this round's, or null when it
   * is: its address must lie under the round manager that sent the train request (the round's
   * {@code SecaggRound} and its reply addresses are that round manager's descendants), so no other
   * actor can make the node advance the protocol or reveal its secrets.
   */
  String foreign(ActorRef<?> replyTo) {
    for (ActorPath p = replyTo.path().parent(); p != null && !p.equals(p.root()); p = p.parent()) {
      if (p.equals(roundManager)) {
        return null;
      }
    }
    return "the command's reply address " + replyTo.path() + " is not of the round manager "
        + roundManager + " that sent round " + round + "'s train request";
  }

  SecaggRound.Reply advertiseKeys() {
    return attempt("advertise-keys", () -> new SecaggRound.KeysAdvertised(round, nodeId, client.advertiseKeys()));
  }

  SecaggRound.Reply shareKeys(NeighbourKeys keys) {
    return attempt("share-keys", () -> new SecaggRound.KeysShared(round, nodeId, client.shareKeys(keys)));
  }

  /**
   * Masks the kept update and forgets it; the masked input's bytes ({@link MaskedInput#toLittleEndian}) go in
   * the payload that {@code payloadFor} makes of them. Heavy: run it off the actor thread.
   */
  SecaggRound.Reply maskInput(IncomingShares shares, Function<byte[], BytesPayload> payloadFor) {
    return attempt("masked-input", () -> {
      if (update == null) {
        throw new IllegalStateException("the update was masked already");
      }
      MaskedInput masked = client.maskInput(shares, update);
      Arrays.fill(update, 0f);
      update = null;
      return new SecaggRound.InputMasked(round, nodeId, masked.client(),
          payloadFor.apply(masked.toLittleEndian()));
    });
  }

  SecaggRound.Reply unmask(UnmaskRequest request) {
    return attempt("unmask", () -> new SecaggRound.Unmasked(round, nodeId, client.unmask(request)));
  }

  /** A refused message or a protocol violation is a declined phase, not a crash of the node. */
  private SecaggRound.Reply attempt(String phase, java.util.function.Supplier<SecaggRound.Reply> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      return new SecaggRound.PhaseDeclined(round, nodeId, phase, e.getMessage());
    }
  }
}
