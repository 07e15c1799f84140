package io.flock.actors.round;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.transfer.WeightsPayload;
import io.flock.actors.transfer.WeightsTransfer;
import io.flock.models.aggregation.StreamingFedAvg;
import io.flock.models.aggregation.UpdateAggregator;
import io.flock.models.aggregation.UpdateValidator;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs one round, as a per-request child of the coordinator (the {@code DeviceGroupQuery} pattern
 * of the Pekko IoT tutorial): samples nodes (seeded, from the listing sorted by node name), sends each
 * a {@link TrainingNode.TrainRequest}, watches each one, and arms one hard deadline. Every sampled
 * node ends in exactly one state: accepted (its update is validated and folded by the {@link
 * Aggregator} child) or a {@link Dropout} with a reason (crashed, timed out, declined, training
 * failed, invalid update). When no node is pending, or at the deadline, the round completes if the
 * quorum holds and fails with a clear reason otherwise. It then ignores late replies until its
 * parent stops it: it never stops by itself, so the parent can watch it and tell a crash from
 * the end of a round. Likewise it watches its aggregator, which never stops by itself: a dead
 * aggregator fails the round instead of leaving it hanging.
 *
 * <p>Under {@link RoundSettings#secureAggregation() secure aggregation} a node that trained keeps its
 * update and answers {@link UpdateKept} (sample count and loss in clear); once training is settled,
 * a {@link SecaggRound} child runs the protocol's four phases among those nodes, each with its own
 * deadline, and reports only the sum of the survivors' clipped updates. Their unweighted mean goes
 * to the aggregator as one contribution; nodes that drop out in a phase are dropouts naming it.
 *
 * <p>Nodes are identified by their actor name, which must be unique in the federation (cluster
 * members name their nodes with a member prefix).
 */
public final class RoundManager {

  /** Messages a round manager handles. */
  public interface Command {}

  /** A node's answer to a train request. Sent by {@code TrainingNode}. */
  public interface TrainReply extends Command, CborSerializable {
    long round();

    String nodeId();
  }

  /**
   * A node's update {@code Delta = w_local - w_global}.
   *
   * @param numSamples local samples per epoch (the FedAvg weight)
   * @param trainLoss mean local training loss
   * @param steps local optimizer steps
   * @param withinClipNorm whether the update's norm was within the clip norm before clipping (the
   *     bit adaptive clipping counts); true when no clipping was asked
   * @param partialWork whether the node did less local work than asked (a step bound stopped it)
   */
  public record TrainCompleted(
      long round,
      String nodeId,
      WeightsPayload payload,
      int numSamples,
      double trainLoss,
      int steps,
      boolean withinClipNorm,
      boolean partialWork)
      implements TrainReply {

    /** An update carried inline. */
    public TrainCompleted(long round, String nodeId, ModelWeights update, int numSamples, double trainLoss,
        int steps, boolean withinClipNorm, boolean partialWork) {
      this(round, nodeId, new WeightsPayload.Inline(update), numSamples, trainLoss, steps, withinClipNorm,
          partialWork);
    }

    /** A full-work update without clipping information, inline. */
    public TrainCompleted(long round, String nodeId, ModelWeights update, int numSamples, double trainLoss, int steps) {
      this(round, nodeId, update, numSamples, trainLoss, steps, true, false);
    }

    /** The update of an inline payload (a streamed one must be fetched). */
    public ModelWeights update() {
      return WeightsTransfer.inline(payload);
    }
  }

  /**
   * A node's reply as its own reply address received it: {@code nodeId} is the node that address
   * was made for, whatever the reply claims. Local: from a child of this round manager.
   */
  private record Stamped(String nodeId, TrainReply reply) implements Command, io.flock.actors.protocol.LocalOnly {}

  /** A streamed update arrived (or its transfer failed). */
  private record UpdateArrived(TrainCompleted reply, ModelWeights update, Throwable failure) implements Command {}

  /**
   * Under secure aggregation: the node trained and keeps its update, to send it only masked in the
   * phases that follow ({@link SecaggRound}). Its sample count and loss travel in clear: they
   * leak how much data it has and how well it fits, not the update.
   */
  public record UpdateKept(long round, String nodeId, int numSamples, double trainLoss, int steps,
      boolean partialWork) implements TrainReply {}

  /** The node did not produce an update, and why. */
  public record TrainDeclined(long round, String nodeId, DropoutReason reason, String detail)
      implements TrainReply {}

  /** The outcome of a round, sent to the parent. */
  public sealed interface Outcome extends CborSerializable permits RoundCompleted, RoundFailed {
    long round();

    RoundStats stats();
  }

  /**
   * The round reached quorum; {@code combinedUpdate} is the strategy's combination of the accepted
   * updates (the pseudo-gradient the coordinator's server optimizer applies).
   */
  public record RoundCompleted(long round, ModelWeights combinedUpdate, RoundStats stats)
      implements Outcome {}

  /** The round did not reach quorum; the global model must stay as it was. */
  public record RoundFailed(long round, String reason, RoundStats stats) implements Outcome {}

  private record NodeTerminated(String nodeId) implements Command {}

  private enum DeadlineReached implements Command {
    INSTANCE
  }

  private record AggregatorReplied(Aggregator.Aggregated result) implements Command {}

  private enum AggregatorStopped implements Command {
    INSTANCE
  }

  private enum SecaggStopped implements Command {
    INSTANCE
  }

  /**
   * @param round this round's number
   * @param global the current global model (shared, read-only)
   * @param settings sampling, quorum, deadline and training settings
   * @param seed the run's master seed; sampling uses (seed, round)
   * @param nodes the nodes listed by the receptionist
   * @param replyTo receives the {@link Outcome}
   */
  public static Behavior<Command> create(
      long round,
      ModelWeights global,
      RoundSettings settings,
      long seed,
      List<ActorRef<TrainingNode.Command>> nodes,
      ActorRef<Outcome> replyTo) {
    return create(round, global, settings, seed, nodes, StreamingFedAvg::new, replyTo);
  }

  /**
   * A round whose updates are combined by {@code aggregatorFactory} (the strategy's aggregator,
   * or the differential-privacy one).
   */
  public static Behavior<Command> create(
      long round,
      ModelWeights global,
      RoundSettings settings,
      long seed,
      List<ActorRef<TrainingNode.Command>> nodes,
      Function<ModelLayout, UpdateAggregator> aggregatorFactory,
      ActorRef<Outcome> replyTo) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new RoundManager(ctx, timers, round, global, settings, seed, nodes, replyTo)
                        .start(aggregatorFactory)));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final long round;
  private final ModelWeights global;
  private final RoundSettings settings;
  private final long seed;
  private final List<ActorRef<TrainingNode.Command>> nodes;
  private final ActorRef<Outcome> replyTo;
  private final Map<String, ActorRef<TrainingNode.Command>> pending = new LinkedHashMap<>();
  private final RoundTally tally;
  private ActorRef<Aggregator.Command> aggregator;
  private Map<String, Integer> stragglers = Map.of();
  private KeptUpdates secagg; // null: the round is not securely aggregated

  private RoundManager(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      long round,
      ModelWeights global,
      RoundSettings settings,
      long seed,
      List<ActorRef<TrainingNode.Command>> nodes,
      ActorRef<Outcome> replyTo) {
    this.ctx = ctx;
    this.timers = timers;
    this.round = round;
    this.global = global;
    this.settings = settings;
    this.seed = seed;
    this.nodes = List.copyOf(nodes);
    this.replyTo = replyTo;
    this.tally = new RoundTally(this.nodes.size());
  }

  private Behavior<Command> start(Function<ModelLayout, UpdateAggregator> aggregatorFactory) {
    if (nodes.size() < settings.minNodes()) {
      return fail(
          "only " + nodes.size() + " node(s) available, the quorum needs at least "
              + settings.minNodes());
    }
    List<ActorRef<TrainingNode.Command>> chosen =
        NodeSampler.sample(nodes, settings.sampleSize(nodes.size()), ref -> ref.path().name(), roundSeed());
    tally.sampled(chosen.size());
    stragglers = NodeSampler.stragglers(chosen.stream().map(ref -> ref.path().name()).toList(),
        settings.stragglerFraction(), settings.train().localEpochs(), roundSeed());
    List<String> ids = chosen.stream().map(ref -> ref.path().name()).toList();
    SecureAggregation secure = settings.secureAggregation();
    if (secure != null) {
      try {
        secagg = KeptUpdates.forRound(secure, round, ids, global.layout().numParams(), roundSeed());
      } catch (IllegalArgumentException e) {
        return fail("secure aggregation cannot run this round: " + e.getMessage());
      }
    }
    aggregator = ctx.spawn(Aggregator.create(aggregatorFactory.apply(global.layout())), "aggregator");
    ctx.watchWith(aggregator, AggregatorStopped.INSTANCE);
    // One offer of the global model's bytes for all remote nodes, a single-use claim each.
    List<WeightsPayload> payloads = WeightsTransfer.payloadsFor(global, chosen, ctx.getSystem());
    for (int i = 0; i < chosen.size(); i++) {
      ActorRef<TrainingNode.Command> node = chosen.get(i);
      String nodeId = node.path().name();
      // Each node answers to an address of its own (ReplyAddresses): whatever node id a reply
      // claims, the address it came to says who sent it.
      ActorRef<TrainReply> trainReplies = ReplyAddresses.spawn(ctx, TrainReply.class, nodeId, Stamped::new);
      pending.put(nodeId, node);
      ctx.watchWith(node, new NodeTerminated(nodeId));
      Integer epochs = stragglers.get(nodeId);
      var train = epochs == null ? settings.train() : settings.train().withLocalEpochs(epochs);
      node.tell(new TrainingNode.TrainRequest(round, payloads.get(i), train, roundSeed(), trainReplies,
          secagg == null ? null : secagg.taskFor(i)));
    }
    timers.startSingleTimer(DeadlineReached.INSTANCE, settings.deadline());
    return collecting();
  }

  private long roundSeed() {
    return seed * 0x9E3779B97F4A7C15L + round;
  }

  private Behavior<Command> onStamped(Stamped stamped) {
    TrainReply reply = stamped.reply();
    if (!stamped.nodeId().equals(reply.nodeId())) {
      return dropout(stamped.nodeId(), DropoutReason.INVALID_UPDATE,
          "the reply names " + reply.nodeId() + ", not the node it was sent by");
    }
    if (reply instanceof TrainCompleted completed) {
      if (secagg != null) {
        return dropout(reply.nodeId(), DropoutReason.INVALID_UPDATE,
            "sent its update in clear in a securely aggregated round; it is not used");
      }
      return onCompleted(completed);
    }
    if (reply instanceof UpdateKept kept) {
      return onKept(kept);
    }
    return onDeclined((TrainDeclined) reply);
  }

  private Behavior<Command> collecting() {
    return Behaviors.receive(Command.class)
        .onMessage(Stamped.class, this::onStamped)
        .onMessage(UpdateArrived.class, this::onUpdateArrived)
        .onMessage(TrainCompleted.class, r -> unaddressed(r))
        .onMessage(TrainDeclined.class, r -> unaddressed(r))
        .onMessage(NodeTerminated.class, t -> dropout(t.nodeId(), DropoutReason.CRASHED, "node stopped during the round"))
        .onMessage(DeadlineReached.class, d -> onDeadline())
        .onMessage(AggregatorStopped.class, a -> aggregatorDied())
        .build();
  }

  /** A reply sent to the round manager itself, not to a node's reply address: not trusted. */
  private Behavior<Command> unaddressed(TrainReply reply) {
    ctx.getLog().warn("round {}: ignoring a reply naming {} that did not come through its reply address",
        round, reply.nodeId());
    return Behaviors.same();
  }

  private Behavior<Command> aggregatorDied() {
    timers.cancel(DeadlineReached.INSTANCE);
    for (String nodeId : new ArrayList<>(pending.keySet())) {
      settle(nodeId);
    }
    return fail("the aggregator stopped unexpectedly (see the log); no update of this round is used");
  }

  private Behavior<Command> onCompleted(TrainCompleted reply) {
    if (!pending.containsKey(reply.nodeId())) {
      ctx.getLog().warn("round {}: ignoring update from {}, which is not pending", round, reply.nodeId());
      return Behaviors.same();
    }
    if (reply.round() != round) {
      return dropout(reply.nodeId(), DropoutReason.INVALID_UPDATE,
          "stale update for round " + reply.round() + ", this is round " + round);
    }
    if (reply.payload() instanceof WeightsPayload.Inline inline) {
      return accept(reply, inline.weights());
    }
    if (reply.payload() == null || !global.layout().equals(reply.payload().layout())) {
      return dropout(reply.nodeId(), DropoutReason.INVALID_UPDATE, "update has the wrong layout");
    }
    // The node stays pending (and the deadline runs) until its update has arrived.
    ctx.pipeToSelf(WeightsTransfer.fetch(reply.payload(), ctx.getSystem()),
        (update, failure) -> new UpdateArrived(reply, update, failure));
    return Behaviors.same();
  }

  private Behavior<Command> onUpdateArrived(UpdateArrived arrived) {
    if (!pending.containsKey(arrived.reply().nodeId())) {
      return Behaviors.same(); // timed out or crashed meanwhile: already a dropout
    }
    if (arrived.failure() != null) {
      return dropout(arrived.reply().nodeId(), DropoutReason.INVALID_UPDATE,
          "could not receive the update: " + arrived.failure().getMessage());
    }
    return accept(arrived.reply(), arrived.update());
  }

  /** Validates an update that arrived and folds it, or records why not. */
  private Behavior<Command> accept(TrainCompleted reply, ModelWeights update) {
    String problem = UpdateValidator.problem(update, global.layout(), reply.numSamples());
    if (problem == null && !Double.isFinite(reply.trainLoss())) {
      problem = "training loss is " + reply.trainLoss();
    }
    if (problem != null) {
      return dropout(reply.nodeId(), DropoutReason.INVALID_UPDATE, problem);
    }
    String partial = partialWorkProblem(reply.nodeId(), reply.partialWork(), reply.steps());
    if (partial != null) {
      return dropout(reply.nodeId(), DropoutReason.STRAGGLER, partial);
    }
    settle(reply.nodeId());
    aggregator.tell(new Aggregator.Fold(reply.nodeId(), update, reply.numSamples()));
    tally.accept(reply.numSamples(), reply.trainLoss(), samplesTrained(reply.nodeId(), reply.numSamples(),
        reply.steps()), reply.withinClipNorm());
    return maybeClose();
  }

  /** Under secure aggregation: the node trained; it takes part in the protocol's phases. */
  private Behavior<Command> onKept(UpdateKept reply) {
    if (!pending.containsKey(reply.nodeId())) {
      return Behaviors.same();
    }
    if (secagg == null) {
      return dropout(reply.nodeId(), DropoutReason.INVALID_UPDATE,
          "kept its update, but this round is not securely aggregated");
    }
    String problem = KeptUpdates.problem(reply, round);
    if (problem != null) {
      return dropout(reply.nodeId(), DropoutReason.INVALID_UPDATE, problem);
    }
    String partial = partialWorkProblem(reply.nodeId(), reply.partialWork(), reply.steps());
    if (partial != null) {
      return dropout(reply.nodeId(), DropoutReason.STRAGGLER, partial);
    }
    secagg.keep(reply.nodeId(), pending.get(reply.nodeId()), samplesTrained(reply.nodeId(), reply.numSamples(),
        reply.steps()), reply.trainLoss(), reply.numSamples());
    settle(reply.nodeId());
    return maybeClose();
  }

  /** Why the strategy drops this node's work as partial (a straggler's), or null when it does not. */
  private String partialWorkProblem(String nodeId, boolean partialWork, int steps) {
    Integer reducedEpochs = stragglers.get(nodeId);
    if ((partialWork || reducedEpochs != null) && !settings.acceptsPartialWork()) {
      return reducedEpochs != null
          ? "did " + reducedEpochs + " of " + settings.train().localEpochs() + " local epochs; this strategy drops partial work"
          : "stopped after " + steps + " local steps; this strategy drops partial work";
    }
    return null;
  }

  /**
   * Samples trained on: every sample once per epoch, unless a step bound stopped the node first
   * (then steps x batch size, which counts a short last batch of an epoch as full).
   */
  private long samplesTrained(String nodeId, int numSamples, int steps) {
    Integer reducedEpochs = stragglers.get(nodeId);
    long epochsWorth = (long) numSamples * (reducedEpochs != null ? reducedEpochs : settings.train().localEpochs());
    return Math.min(epochsWorth, (long) steps * settings.train().batchSize());
  }

  private Behavior<Command> onDeclined(TrainDeclined reply) {
    if (!pending.containsKey(reply.nodeId())) {
      return Behaviors.same();
    }
    String detail = reply.round() == round ? reply.detail()
        : "reply for round " + reply.round() + ": " + reply.detail();
    return dropout(reply.nodeId(), reply.reason(), detail);
  }

  private Behavior<Command> dropout(String nodeId, DropoutReason reason, String detail) {
    if (!pending.containsKey(nodeId)) {
      return Behaviors.same();
    }
    settle(nodeId);
    tally.dropout(new Dropout(nodeId, reason, detail));
    return maybeClose();
  }

  private void settle(String nodeId) {
    ctx.unwatch(pending.remove(nodeId));
  }

  private Behavior<Command> onDeadline() {
    for (String nodeId : new ArrayList<>(pending.keySet())) {
      settle(nodeId);
      tally.dropout(new Dropout(nodeId, DropoutReason.TIMED_OUT,
          "no reply within the round deadline of " + settings.deadline().toMillis() + " ms"));
    }
    return maybeClose();
  }

  private Behavior<Command> maybeClose() {
    if (!pending.isEmpty()) {
      return Behaviors.same();
    }
    timers.cancel(DeadlineReached.INSTANCE);
    int quorum = settings.quorum(tally.sampled());
    if (secagg != null) {
      return secureAggregation(quorum);
    }
    if (tally.accepted() < quorum) {
      return fail(tally.accepted() + " of " + tally.sampled() + " sampled nodes returned a valid update, the quorum is "
          + quorum);
    }
    return aggregating();
  }

  /** Asks the aggregator for the strategy's combination of what it folded, and waits for it. */
  private Behavior<Command> aggregating() {
    aggregator.tell(new Aggregator.Finish(ctx.messageAdapter(Aggregator.Aggregated.class, AggregatorReplied::new)));
    return Behaviors.receive(Command.class)
        .onMessage(AggregatorReplied.class, this::onAggregated)
        .onMessage(AggregatorStopped.class, a -> aggregatorDied())
        .build();
  }

  /**
   * Runs the protocol's four phases among the nodes that kept an update, in a {@link SecaggRound}
   * child, then folds the unweighted mean of the survivors' updates into the strategy's
   * aggregator as one contribution of weight 1 (exactly that mean for the mean-based aggregators
   * secure aggregation allows: {@code StreamingFedAvg} of one update with weight 1 is the update).
   */
  private Behavior<Command> secureAggregation(int quorum) {
    if (secagg.size() < quorum) {
      return fail(secagg.size() + " of " + tally.sampled() + " sampled nodes trained and kept an update, the quorum is "
          + quorum);
    }
    ActorRef<SecaggRound.Command> protocol = secagg.startProtocol(ctx, SecaggStopped.INSTANCE);
    return Behaviors.receive(Command.class)
        .onMessage(SecaggRound.Finished.class, f -> onSecaggFinished(f, quorum, protocol))
        .onMessage(SecaggRound.Failed.class, f -> {
          ctx.unwatch(protocol);
          tally.dropouts(f.dropouts());
          return fail(f.reason());
        })
        .onMessage(SecaggStopped.class, s -> fail("the secure-aggregation actor stopped unexpectedly (see the log)"))
        .onMessage(AggregatorStopped.class, a -> aggregatorDied())
        .build();
  }

  private Behavior<Command> onSecaggFinished(SecaggRound.Finished finished, int quorum,
      ActorRef<SecaggRound.Command> protocol) {
    ctx.unwatch(protocol);
    tally.dropouts(finished.dropouts());
    tally.survivors(finished.survivors().size(), secagg.statsOf(finished.survivors()));
    int accepted = tally.accepted();
    if (accepted < quorum) {
      return fail(accepted + " of " + tally.sampled() + " sampled nodes are in the securely aggregated sum, the quorum is "
          + quorum);
    }
    aggregator.tell(new Aggregator.Fold("secure-aggregation-of-" + accepted,
        KeptUpdates.mean(finished.sum(), accepted, global.layout()), 1));
    return aggregating();
  }

  private Behavior<Command> onAggregated(AggregatorReplied msg) {
    Aggregator.Aggregated result = msg.result();
    if (result.error() != null) {
      return fail("aggregation failed: " + result.error());
    }
    // The aggregator's count is the truth: an update it refused is not a participant (under secure
    // aggregation it saw one contribution, the survivors' mean, and the survivors are the count).
    if (secagg == null) {
      tally.aggregated(result.updates());
    }
    replyTo.tell(new RoundCompleted(round, result.combinedUpdate(), tally.stats()));
    return done();
  }

  private Behavior<Command> fail(String reason) {
    replyTo.tell(new RoundFailed(round, reason, tally.stats()));
    return done();
  }

  /** The outcome is sent: late replies are dropped until the parent stops this actor. */
  private Behavior<Command> done() {
    if (aggregator != null) {
      ctx.unwatch(aggregator);
      ctx.stop(aggregator);
    }
    return Behaviors.ignore();
  }
}
