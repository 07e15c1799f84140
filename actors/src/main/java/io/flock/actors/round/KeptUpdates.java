package io.flock.actors.round;

import io.flock.actors.node.TrainingNode;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A {@link RoundManager}'s bookkeeping of one securely aggregated round: the protocol's public
 * setup, which node is which client, what each node that kept its update ({@link
 * RoundManager.UpdateKept}) reported in clear, starting the {@link SecaggRound} child among those
 * nodes, and turning its unmasked sum into the survivors' mean. Used by the round manager's actor
 * only.
 */
final class KeptUpdates {

  /** What a node that kept its update reported in clear; counted if it survives the protocol. */
  private record KeptStats(ActorRef<TrainingNode.Command> node, long samples, double loss, int numSamples) {}

  /** The clear statistics of the nodes whose updates are in the securely aggregated sum. */
  record SurvivorStats(long samples, double lossSum, long lossWeight) {}

  private final SecaggTask.Setup setup;
  private final List<String> clientOrder; // client i of the protocol is clientOrder.get(i)
  private final Duration phaseTimeout;
  private final Map<String, KeptStats> kept = new LinkedHashMap<>();

  private KeptUpdates(SecaggTask.Setup setup, List<String> clientOrder, Duration phaseTimeout) {
    this.setup = setup;
    this.clientOrder = clientOrder;
    this.phaseTimeout = phaseTimeout;
  }

  /**
   * The bookkeeping of round {@code round} among the sampled nodes {@code ids} (client i is {@code
   * ids.get(i)}).
   *
   * @throws IllegalArgumentException when secure aggregation cannot run this round
   */
  static KeptUpdates forRound(SecureAggregation secure, long round, List<String> ids, int numParams,
      long roundSeed) {
    return new KeptUpdates(secure.setupFor(round, ids, numParams, roundSeed), ids, secure.phaseTimeout());
  }

  /** The part of client {@code client} in the round's protocol, for its train request. */
  SecaggTask taskFor(int client) {
    return new SecaggTask(client, setup);
  }

  /**
   * Why {@code reply} of a node that kept its update is not valid in {@code round}, or null. Only
   * what secure aggregation adds: the checks of partial work are the round manager's.
   */
  static String problem(RoundManager.UpdateKept reply, long round) {
    if (reply.round() != round) {
      return "stale reply for round " + reply.round() + ", this is round " + round;
    }
    if (reply.numSamples() <= 0 || !Double.isFinite(reply.trainLoss())) {
      return "reports " + reply.numSamples() + " samples and training loss " + reply.trainLoss();
    }
    return null;
  }

  /** Records a node that kept a valid update: it takes part in the protocol's phases. */
  void keep(String nodeId, ActorRef<TrainingNode.Command> node, long samples, double loss, int numSamples) {
    kept.put(nodeId, new KeptStats(node, samples, loss, numSamples));
  }

  /** How many nodes kept an update. */
  int size() {
    return kept.size();
  }

  /**
   * Spawns the {@link SecaggRound} child among the nodes that kept an update, watched with {@code
   * stopped}.
   */
  ActorRef<SecaggRound.Command> startProtocol(ActorContext<RoundManager.Command> ctx, RoundManager.Command stopped) {
    Map<String, ActorRef<TrainingNode.Command>> trained = new LinkedHashMap<>();
    kept.forEach((id, k) -> trained.put(id, k.node()));
    ActorRef<SecaggRound.Command> protocol = ctx.spawn(SecaggRound.create(setup.toConfig(),
        clientOrder, trained, phaseTimeout, ctx.getSelf()), "secure-aggregation");
    ctx.watchWith(protocol, stopped);
    return protocol;
  }

  /** The clear statistics of {@code survivors}, summed in their order. */
  SurvivorStats statsOf(List<String> survivors) {
    long samples = 0;
    double lossSum = 0;
    long lossWeight = 0;
    for (String id : survivors) {
      KeptStats k = kept.get(id);
      samples += k.samples();
      lossSum += k.loss() * k.numSamples();
      lossWeight += k.numSamples();
    }
    return new SurvivorStats(samples, lossSum, lossWeight);
  }

  /**
   * The unweighted mean of the {@code count} survivors' updates, from their {@code sum} (divided in
   * place).
   */
  static ModelWeights mean(float[] sum, int count, ModelLayout layout) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= count;
    }
    return ModelWeights.wrap(layout, sum);
  }
}
