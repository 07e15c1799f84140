package io.flock.actors.node;

import io.flock.actors.round.SecaggRound;
import io.flock.actors.round.SecaggTask;
import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggClient;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import java.security.SecureRandom;
import java.util.Arrays;

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
  private float[] update;

  private SecaggParticipant(long round, String nodeId, SecaggClient client, float[] update) {
    this.round = round;
    this.nodeId = nodeId;
    this.client = client;
    this.update = update;
  }

  /**
   * The participant for {@code task}, keeping {@code update} (not copied: it is handed over).
   *
   * @throws IllegalArgumentException when the task does not fit (no identity, a key that is not
   *     this node's, bad parameters)
   */
  static SecaggParticipant create(String nodeId, SecaggTask task, NodeIdentity identity, float[] update) {
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
    return new SecaggParticipant(config.round(), nodeId, client, update);
  }

  long round() {
    return round;
  }

  SecaggRound.Reply advertiseKeys() {
    return attempt("advertise-keys", () -> new SecaggRound.KeysAdvertised(round, nodeId, client.advertiseKeys()));
  }

  SecaggRound.Reply shareKeys(NeighbourKeys keys) {
    return attempt("share-keys", () -> new SecaggRound.KeysShared(round, nodeId, client.shareKeys(keys)));
  }

  /** Masks the kept update (heavy: run it off the actor thread) and forgets it. */
  SecaggRound.Reply maskInput(IncomingShares shares) {
    return attempt("masked-input", () -> {
      if (update == null) {
        throw new IllegalStateException("the update was masked already");
      }
      MaskedInput masked = client.maskInput(shares, update);
      Arrays.fill(update, 0f);
      update = null;
      return new SecaggRound.InputMasked(round, nodeId, masked);
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
