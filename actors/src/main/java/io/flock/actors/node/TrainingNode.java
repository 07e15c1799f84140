package io.flock.actors.node;

import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.transfer.WeightsPayload;
import io.flock.actors.transfer.WeightsTransfer;
import io.flock.actors.protocol.DropoutReason;
import io.flock.actors.round.FederatedEvaluator;
import io.flock.actors.round.RoundManager;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.data.NodeData;
import io.flock.models.data.Seeds;
import io.flock.models.training.LocalUpdate;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.actors.round.SecaggRound;
import io.flock.actors.round.SecaggTask;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One federation participant. Registers under {@link #SERVICE_KEY}, holds its local data (which
 * never leaves this JVM), validates each {@link TrainRequest}, hands the training to the worker
 * pool, turns the trained model into an update {@code Delta = w_local - w_global}, clips it when
 * asked, and replies to the round with {@link RoundManager.TrainCompleted} or {@link
 * RoundManager.TrainDeclined}.
 */
public final class TrainingNode extends AbstractBehavior<TrainingNode.Command> {

  /** Receptionist key under which every training node registers. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "flock-training-node");

  /** Messages a training node handles. */
  public interface Command {}

  /**
   * Train the global model of {@code round} locally. Sent by the round's RoundManager.
   *
   * @param round round number, strictly increasing over a run
   * @param payload the global model: inline (shared read-only in one JVM) or streamed from the
   *     round manager's JVM ({@link WeightsTransfer})
   * @param config local training settings
   * @param roundSeed the round's seed; the node mixes in its own seed for data shuffling
   * @param replyTo where the update (or the refusal) goes
   * @param secagg null, or this node's part in the round's secure aggregation: then the node keeps
   *     its update, replies {@link RoundManager.UpdateKept}, and sends it only masked, in the
   *     phases that follow ({@link AdvertiseKeys} to {@link Unmask})
   */
  public record TrainRequest(
      long round,
      WeightsPayload payload,
      TrainConfig config,
      long roundSeed,
      ActorRef<RoundManager.TrainReply> replyTo,
      SecaggTask secagg)
      implements Command, CborSerializable {

    /** A request of a round without secure aggregation. */
    public TrainRequest(long round, WeightsPayload payload, TrainConfig config, long roundSeed,
        ActorRef<RoundManager.TrainReply> replyTo) {
      this(round, payload, config, roundSeed, replyTo, null);
    }

    /** A request carrying the global model inline. */
    public TrainRequest(long round, ModelWeights global, TrainConfig config, long roundSeed,
        ActorRef<RoundManager.TrainReply> replyTo) {
      this(round, new WeightsPayload.Inline(global), config, roundSeed, replyTo, null);
    }

    /** The global model of an inline payload (a streamed one must be fetched). */
    public ModelWeights global() {
      return WeightsTransfer.inline(payload);
    }
  }

  /**
   * Evaluate the global model of {@code round} on this node's held-out data. Sent by a {@code
   * FederatedEvaluator}.
   */
  public record EvaluateRequest(
      long round, WeightsPayload payload, ActorRef<FederatedEvaluator.EvalReply> replyTo)
      implements Command, CborSerializable {

    /** A request carrying the global model inline. */
    public EvaluateRequest(long round, ModelWeights global, ActorRef<FederatedEvaluator.EvalReply> replyTo) {
      this(round, new WeightsPayload.Inline(global), replyTo);
    }
  }

  /**
   * Prove this node's identity: sign {@code Admission.message(challenge, nodeId)} with the node's
   * ML-DSA-65 key. Sent by the coordinator when it discovers the node.
   */
  public record Identify(byte[] challenge, ActorRef<Identified> replyTo) implements Command, CborSerializable {}

  /**
   * The answer to {@link Identify}: the node's encoded public key and its signature; both empty
   * when the node has no identity key.
   */
  public record Identified(String nodeId, byte[] publicKey, byte[] signature) implements CborSerializable {}

  /**
   * Secure aggregation, phase 1: advertise this round's keys. Sent by the round's SecaggRound. In
   * every phase the node answers only when {@code replyTo} lies under the round manager that sent
   * the {@link TrainRequest} whose update it keeps; anyone else gets {@link
   * SecaggRound.PhaseDeclined} saying so.
   */
  public record AdvertiseKeys(long round, ActorRef<SecaggRound.Reply> replyTo) implements Command, CborSerializable {}

  /** Phase 2: the neighbours' keys; share this node's secrets with them. Sent by SecaggRound. */
  public record ShareKeys(long round, NeighbourKeys keys, ActorRef<SecaggRound.Reply> replyTo)
      implements Command, CborSerializable {}

  /** Phase 3: the neighbours' shares; mask the kept update and send it. Sent by SecaggRound. */
  public record MaskInput(long round, IncomingShares shares, ActorRef<SecaggRound.Reply> replyTo)
      implements Command, CborSerializable {}

  /** Phase 4: who survived; reveal what removes the masks. Sent by SecaggRound. */
  public record Unmask(long round, UnmaskRequest request, ActorRef<SecaggRound.Reply> replyTo)
      implements Command, CborSerializable {}

  /** The masked input, computed off the actor thread. */
  private record Masked(ActorRef<SecaggRound.Reply> replyTo, SecaggRound.Reply reply, Throwable failure)
      implements Command, io.flock.actors.protocol.LocalOnly {}

  private record WorkerReplied(TrainingWorker.Result result) implements Command {}

  /** The global model of a request arrived (or its transfer failed). */
  private record GlobalArrived(Object request, ModelWeights global, Throwable failure) implements Command {}

  /** A train request being worked on, with its global model. */
  private record Work(TrainRequest request, ModelWeights global) {}

  /**
   * What a node is made of.
   *
   * @param nodeId this node's id; also its actor name
   * @param data local training data, kept in this JVM
   * @param evalData local held-out data for federated evaluation; null = none
   * @param layout the model layout this node can train; requests for other models are declined
   * @param nodeSeed this node's seed, derived from the run's master seed and the node's index
   * @param updateScale every update is multiplied by this before it is sent: 1 is an honest node;
   *     simulations inject model poisoning with e.g. -10 (a sign-flipping, boosting attacker, the
   *     threat model of Blanchard et al. 2017 and Yin et al. 2018)
   */
  public record Setup(
      String nodeId, NodeData data, NodeData evalData, ModelLayout layout, long nodeSeed, double updateScale,
      io.flock.privacy.identity.NodeIdentity identity) {

    /** Validates the parts. */
    public Setup {
      if (nodeId == null || nodeId.isBlank() || data == null || layout == null) {
        throw new IllegalArgumentException("a node needs an id, local data and a model layout");
      }
      if (!Double.isFinite(updateScale)) {
        throw new IllegalArgumentException("updateScale must be finite, was " + updateScale);
      }
    }

    /** An honest node without held-out data. */
    public static Setup of(String nodeId, NodeData data, ModelLayout layout, long nodeSeed) {
      return new Setup(nodeId, data, null, layout, nodeSeed, 1.0, null);
    }

    /** This node with held-out data for federated evaluation. */
    public Setup withEvalData(NodeData evalData) {
      return new Setup(nodeId, data, evalData, layout, nodeSeed, updateScale, identity);
    }

    /** This node scaling its updates by {@code scale}. */
    public Setup withUpdateScale(double scale) {
      return new Setup(nodeId, data, evalData, layout, nodeSeed, scale, identity);
    }

    /** This node proving its identity with {@code key} when the coordinator asks. */
    public Setup withIdentity(io.flock.privacy.identity.NodeIdentity key) {
      return new Setup(nodeId, data, evalData, layout, nodeSeed, updateScale, key);
    }
  }

  /** A node wrapped in restart-with-backoff supervision, as it should be spawned. */
  public static Behavior<Command> supervised(
      Setup setup, ActorRef<TrainingWorker.Command> workers, Duration minBackoff, Duration maxBackoff) {
    return Behaviors.supervise(create(setup, workers))
        .onFailure(SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, 0.2));
  }

  /** A node that delegates its training and evaluation to {@code workers}, the JVM's pool. */
  public static Behavior<Command> create(Setup setup, ActorRef<TrainingWorker.Command> workers) {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
          return new TrainingNode(ctx, setup, workers);
        });
  }

  private final String nodeId;
  private final NodeData data;
  private final NodeData evalData;
  private final Map<String, EvaluateRequest> evaluating = new HashMap<>();
  private final ModelLayout layout;
  private final long nodeSeed;
  private final ActorRef<TrainingWorker.Command> workers;
  private final io.flock.privacy.identity.NodeIdentity identity;
  private final ActorRef<TrainingWorker.Result> workerAdapter;
  private final Map<String, Work> inFlight = new HashMap<>();
  private long lastRound = Long.MIN_VALUE;
  private long tasks;
  // Who asked for lastRound: the same round from another round manager is a coordinator that took
  // over after a failover re-running a round that never completed, not a duplicate.
  private ActorRef<RoundManager.TrainReply> lastRequester;
  private final UpdatePreparation preparation;
  // The round this node keeps its update for, under secure aggregation, and its phases.
  private final SecaggPhases secagg;

  private TrainingNode(ActorContext<Command> ctx, Setup setup, ActorRef<TrainingWorker.Command> workers) {
    super(ctx);
    this.evalData = setup.evalData();
    this.preparation = new UpdatePreparation(setup.updateScale());
    this.identity = setup.identity();
    this.nodeId = setup.nodeId();
    this.data = setup.data();
    this.layout = setup.layout();
    this.nodeSeed = setup.nodeSeed();
    this.workers = workers;
    this.workerAdapter = ctx.messageAdapter(TrainingWorker.Result.class, WorkerReplied::new);
    this.secagg = new SecaggPhases(ctx.getSystem(), nodeId, identity);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(TrainRequest.class, this::onTrainRequest)
        .onMessage(EvaluateRequest.class, this::onEvaluateRequest)
        .onMessage(Identify.class, this::onIdentify)
        .onMessage(WorkerReplied.class, this::onWorkerReplied)
        .onMessage(GlobalArrived.class, this::onGlobalArrived)
        .onMessage(AdvertiseKeys.class, m -> {
          secagg.onAdvertiseKeys(m);
          return this;
        })
        .onMessage(ShareKeys.class, m -> {
          secagg.onShareKeys(m);
          return this;
        })
        .onMessage(MaskInput.class, this::onMaskInput)
        .onMessage(Masked.class, this::onMasked)
        .onMessage(Unmask.class, m -> {
          secagg.onUnmask(m);
          return this;
        })
        .build();
  }

  /** Masking runs off the actor thread ({@link SecaggPhases}); its reply comes back as {@link Masked}. */
  private Behavior<Command> onMaskInput(MaskInput m) {
    CompletableFuture<SecaggRound.Reply> masking = secagg.onMaskInput(m);
    if (masking != null) {
      getContext().pipeToSelf(masking, (reply, failure) -> new Masked(m.replyTo(), reply, failure));
    }
    return this;
  }

  private Behavior<Command> onMasked(Masked m) {
    if (m.failure() != null) {
      throw new IllegalStateException("masking the update failed", m.failure());
    }
    m.replyTo().tell(m.reply());
    return this;
  }

  private Behavior<Command> onIdentify(Identify req) {
    if (identity == null || req.challenge() == null) {
      req.replyTo().tell(new Identified(nodeId, new byte[0], new byte[0]));
    } else {
      String self = org.apache.pekko.actor.typed.ActorRefResolver.get(getContext().getSystem())
          .toSerializationFormat(getContext().getSelf());
      byte[] message = io.flock.actors.coordinator.Admission.message(req.challenge(), nodeId, self);
      req.replyTo().tell(new Identified(nodeId, identity.publicKey(), identity.sign(message)));
    }
    return this;
  }

  private Behavior<Command> onTrainRequest(TrainRequest req) {
    String problem = validate(req);
    if (problem != null) {
      req.replyTo().tell(new RoundManager.TrainDeclined(req.round(), nodeId, DropoutReason.DECLINED, problem));
      return this;
    }
    lastRound = req.round();
    lastRequester = req.replyTo();
    secagg.forget(); // a newer round: what an older one kept is of no use any more
    return withGlobal(req, req.payload());
  }

  /** Goes on with {@code req} once its global model is here: at once when inline, else fetched. */
  private Behavior<Command> withGlobal(Object req, WeightsPayload payload) {
    if (payload instanceof WeightsPayload.Inline inline) {
      return onGlobalArrived(new GlobalArrived(req, inline.weights(), null));
    }
    getContext().pipeToSelf(WeightsTransfer.fetch(payload, getContext().getSystem()),
        (global, failure) -> new GlobalArrived(req, global, failure));
    return this;
  }

  private Behavior<Command> train(TrainRequest req, ModelWeights global) {
    // Unique per request: a round re-requested by a coordinator that took over is a new task, and
    // the old task's result is not mistaken for it.
    String taskId = nodeId + "/round-" + req.round() + "/" + (++tasks);
    inFlight.put(taskId, new Work(req, global));
    long seed = Seeds.derive(nodeSeed, req.roundSeed());
    workers.tell(new TrainingWorker.Train(taskId, global, req.config(), data, seed, workerAdapter));
    return this;
  }

  private Behavior<Command> onGlobalArrived(GlobalArrived arrived) {
    String problem = arrived.failure() == null ? null
        : "could not receive the global model: " + arrived.failure().getMessage();
    if (arrived.request() instanceof TrainRequest req) {
      if (req.round() != lastRound || !req.replyTo().equals(lastRequester)) {
        // A newer request (a later round, or the same round from a coordinator that took over)
        // came while this one's model was on its way: training this one would hold up the worker.
        req.replyTo().tell(new RoundManager.TrainDeclined(req.round(), nodeId, DropoutReason.DECLINED,
            "superseded by round " + lastRound + " while its global model was arriving"));
        return this;
      }
      if (problem != null) {
        req.replyTo().tell(new RoundManager.TrainDeclined(req.round(), nodeId, DropoutReason.TRAINING_FAILED, problem));
        return this;
      }
      return train(req, arrived.global());
    }
    EvaluateRequest req = (EvaluateRequest) arrived.request();
    if (problem != null) {
      req.replyTo().tell(new FederatedEvaluator.EvaluateDeclined(req.round(), nodeId, problem));
      return this;
    }
    return evaluate(req, arrived.global());
  }

  private String validate(TrainRequest req) {
    if (req.round() < lastRound || (req.round() == lastRound && req.replyTo().equals(lastRequester))) {
      return "stale round " + req.round() + ": this node already trained round " + lastRound;
    }
    if (req.payload() == null || !layout.equals(req.payload().layout())) {
      return "global model does not fit this node: expected " + layout.describe() + ", got "
          + (req.payload() == null ? "none" : req.payload().layout().describe());
    }
    return null;
  }

  private Behavior<Command> onEvaluateRequest(EvaluateRequest req) {
    if (evalData == null) {
      req.replyTo().tell(new FederatedEvaluator.EvaluateDeclined(req.round(), nodeId, "no held-out data"));
      return this;
    }
    if (req.payload() == null || !layout.equals(req.payload().layout())) {
      req.replyTo().tell(new FederatedEvaluator.EvaluateDeclined(req.round(), nodeId,
          "global model does not fit this node: expected " + layout.describe()));
      return this;
    }
    return withGlobal(req, req.payload());
  }

  private Behavior<Command> evaluate(EvaluateRequest req, ModelWeights global) {
    String taskId = nodeId + "/eval-" + req.round();
    evaluating.put(taskId, req);
    workers.tell(new TrainingWorker.Evaluate(taskId, global, evalData, workerAdapter));
    return this;
  }

  private Behavior<Command> onWorkerReplied(WorkerReplied msg) {
    EvaluateRequest eval = evaluating.remove(msg.result().taskId());
    if (eval != null) {
      if (msg.result() instanceof TrainingWorker.Evaluated done) {
        eval.replyTo().tell(new FederatedEvaluator.EvaluateCompleted(eval.round(), nodeId,
            done.result().loss(), done.result().accuracy(), done.result().samples()));
      } else if (msg.result() instanceof TrainingWorker.TrainFailed failed) {
        eval.replyTo().tell(new FederatedEvaluator.EvaluateDeclined(eval.round(), nodeId, failed.reason()));
      }
      return this;
    }
    Work work = inFlight.remove(msg.result().taskId());
    if (work == null) {
      return this; // a task of a previous incarnation: its round has moved on
    }
    TrainRequest req = work.request();
    if (msg.result() instanceof TrainingWorker.TrainSucceeded ok) {
      req.replyTo().tell(completed(work, ok.update()));
    } else if (msg.result() instanceof TrainingWorker.TrainFailed failed) {
      req.replyTo().tell(
          new RoundManager.TrainDeclined(
              req.round(), nodeId, DropoutReason.TRAINING_FAILED, failed.reason()));
    }
    return this;
  }

  /**
   * The reply for a finished local training: the update {@code Delta = w_local - w_global},
   * clipped to the clip norm and noised with this node's share of the DP noise when the request
   * asks for it (DP-FedAvg, McMahan et al. 2018; the noise comes from a CSPRNG).
   */
  private RoundManager.TrainReply completed(Work work, LocalUpdate update) {
    TrainRequest req = work.request();
    TrainConfig cfg = req.config();
    UpdatePreparation.Prepared prepared;
    try {
      prepared = preparation.prepare(update, work.global(), cfg);
    } catch (IllegalArgumentException e) {
      return new RoundManager.TrainDeclined(
          req.round(), nodeId, DropoutReason.TRAINING_FAILED, e.getMessage());
    }
    float[] delta = prepared.delta();
    boolean partialWork = UpdatePreparation.partialWork(cfg, data.size(), update.steps());
    if (req.secagg() != null) {
      try {
        secagg.keep(req.secagg(), req.replyTo(), delta);
      } catch (IllegalArgumentException e) {
        return new RoundManager.TrainDeclined(req.round(), nodeId, DropoutReason.DECLINED,
            "cannot take part in secure aggregation: " + e.getMessage());
      }
      // The sample count and loss go in clear (they leak counts, not data); the update stays here.
      return new RoundManager.UpdateKept(req.round(), nodeId, update.numSamples(), update.meanLoss(),
          update.steps(), partialWork);
    }
    return new RoundManager.TrainCompleted(
        req.round(),
        nodeId,
        WeightsTransfer.payloadFor(ModelWeights.wrap(layout, delta), req.replyTo(), getContext().getSystem()),
        update.numSamples(),
        update.meanLoss(),
        update.steps(),
        prepared.withinClipNorm(),
        partialWork);
  }
}
