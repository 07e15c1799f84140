package io.flock.actors.coordinator;

import io.flock.actors.node.TrainingNode;
import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.round.FederatedEvaluator;
import io.flock.actors.round.RoundManager;
import io.flock.actors.round.RoundSettings;
import io.flock.actors.round.RoundStats;
import io.flock.actors.support.LazyResource;
import io.flock.models.aggregation.FederatedEvaluation;
import io.flock.models.aggregation.PrivacyState;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.Strategy;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.training.EvalResult;
import io.flock.models.training.Evaluator;
import io.flock.models.weights.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Owns the global model and the round loop. Tracks the training nodes listed by the receptionist;
 * once enough are registered it evaluates the initial model, then runs rounds one after another,
 * each as a {@link RoundManager} child. A completed round replaces the global model and is
 * evaluated on held-out data (on the blocking dispatcher); a failed round leaves the global model
 * unchanged. Every round ends in a {@link RoundReport} to the listener; the run ends with {@link
 * TrainingFinished} when the rounds are done, a target is reached, or too many rounds in a row
 * failed.
 */
public final class Coordinator {

  /** Messages a coordinator handles. */
  public interface Command {}

  /** Events a coordinator publishes to its listener. */
  public interface Event extends CborSerializable {}

  /** Ask for the current global model. */
  public record GetGlobalModel(ActorRef<GlobalModel> replyTo) implements Command, CborSerializable {}

  /** Reply to {@link GetGlobalModel}: the model after {@code completedRounds} completed rounds. */
  public record GlobalModel(int completedRounds, ModelWeights weights) implements CborSerializable {}

  /**
   * How a coordinator survives its JVM: a checkpoint to continue from (null for a fresh run), the
   * store that keeps and replicates checkpoints, and the run's options recorded in each.
   */
  public record Persistence(Checkpoint resume, ActorRef<CheckpointStore.Command> store, List<String> runArgs) {
    public Persistence {
      if (store == null) {
        throw new IllegalArgumentException("persistence needs a checkpoint store");
      }
      runArgs = runArgs == null ? List.of() : List.copyOf(runArgs);
    }
  }

  private record CheckpointSaved(CheckpointStore.Saved saved) implements Command {}

  private record NodeIdentified(TrainingNode.Identified identified) implements Command {}

  private enum SaveTimedOut implements Command {
    INSTANCE
  }

  private enum ChallengeRetry implements Command {
    INSTANCE
  }

  /** How often unanswered admission challenges are sent again. */
  private static final java.time.Duration CHALLENGE_RETRY = java.time.Duration.ofSeconds(10);

  private record ListingUpdated(Receptionist.Listing listing) implements Command {}

  private enum StartTimeout implements Command {
    INSTANCE
  }

  private record RoundFinished(RoundManager.Outcome outcome) implements Command {}

  private record RoundManagerStopped(long round) implements Command {}

  private record FederatedEvaluated(FederatedEvaluator.Result result) implements Command {}

  private record Evaluated(RoundManager.Outcome outcome, EvalResult result, Throwable failure, long millis)
      implements Command {}

  /**
   * @param settings rounds, start condition, targets
   * @param initial the initial global model
   * @param evaluatorFactory builds the evaluator of the global model (owned by this actor), or
   *     null to report the participants' training loss instead
   * @param listener receives a {@link RoundReport} per round and a final {@link TrainingFinished}
   */
  public static Behavior<Command> create(
      CoordinatorSettings settings,
      ModelWeights initial,
      Supplier<Evaluator> evaluatorFactory,
      ActorRef<Event> listener) {
    return create(settings, initial, Strategies.create("fedavg", StrategyOptions.defaults()),
        evaluatorFactory, listener);
  }

  /**
   * A coordinator running {@code strategy}, which may be wrapped in differential privacy ({@link
   * io.flock.models.aggregation.DifferentialPrivacy#wrap}); the coordinator owns the run's state:
   * the server optimizer and, with privacy, the wrapper and its accountant.
   */
  public static Behavior<Command> create(
      CoordinatorSettings settings,
      ModelWeights initial,
      Strategy strategy,
      Supplier<Evaluator> evaluatorFactory,
      ActorRef<Event> listener) {
    return create(settings, initial, strategy, evaluatorFactory, listener, null);
  }

  /**
   * A coordinator that checkpoints after every round (before reporting it) when {@code
   * persistence} is not null, and continues from {@code persistence.resume()} when that is set:
   * the same global model, round counter, optimizer and privacy state and metrics. A completed
   * round is reported only once its checkpoint is written here and on the replicas, so after a
   * failover no reported round is lost or run twice.
   *
   * @throws IllegalArgumentException (from setup) when the checkpoint belongs to another strategy,
   *     privacy setting or model layout
   */
  public static Behavior<Command> create(
      CoordinatorSettings settings,
      ModelWeights initial,
      Strategy strategy,
      Supplier<Evaluator> evaluatorFactory,
      ActorRef<Event> listener,
      Persistence persistence) {
    return Behaviors.setup(ctx -> {
      RoundPlanner planner = new RoundPlanner(settings.round(), strategy);
      Checkpoint resume = persistence == null ? null : persistence.resume();
      if (resume != null) {
        if (!resume.global().layout().equals(initial.layout())) {
          throw new IllegalArgumentException("the checkpoint's model (" + resume.global().layout().describe()
              + ") is not this run's model (" + initial.layout().describe() + ")");
        }
        planner.restore(resume);
      }
      return Behaviors.withTimers(
          timers -> new Coordinator(ctx, timers, settings, initial, planner, evaluatorFactory, listener, persistence)
              .waiting());
    });
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final CoordinatorSettings settings;
  private final RoundPlanner planner;
  private final ActorRef<Event> listener;
  private final Executor blocking;
  private final ActorRef<RoundManager.Outcome> outcomeAdapter;
  private ActorRef<RoundManager.Command> roundManager;
  private ActorRef<FederatedEvaluator.Command> federated;
  private PendingEvaluation pending;
  private final ActorRef<FederatedEvaluator.Result> federatedAdapter;
  private ModelWeights global;
  private final LazyResource<Evaluator> evaluator;
  private CompletableFuture<EvalResult> evaluating;
  private long round;
  private int completedRounds;
  private int consecutiveFailures;
  private double lastLoss = Double.NaN;
  private double lastAccuracy = Double.NaN;
  private final Persistence persistence;
  private final List<RoundReport> history = new ArrayList<>();
  private final ActorRef<CheckpointStore.Saved> savedAdapter;
  private final java.time.Duration saveTimeout;
  private final NodeRoster roster;

  private Coordinator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      CoordinatorSettings settings,
      ModelWeights initial,
      RoundPlanner planner,
      Supplier<Evaluator> evaluatorFactory,
      ActorRef<Event> listener,
      Persistence persistence) {
    this.ctx = ctx;
    this.persistence = persistence;
    this.savedAdapter = ctx.messageAdapter(CheckpointStore.Saved.class, CheckpointSaved::new);
    this.saveTimeout = ctx.getSystem().settings().config().getDuration("flock.checkpoint.save-timeout");
    this.roster = new NodeRoster(settings.allowlist(), ActorRefResolver.get(ctx.getSystem()),
        ctx.messageAdapter(TrainingNode.Identified.class, NodeIdentified::new), ctx.getLog());
    if (roster.admits()) {
      timers.startTimerWithFixedDelay(ChallengeRetry.INSTANCE, CHALLENGE_RETRY);
    }
    this.planner = planner;
    this.timers = timers;
    this.settings = settings;
    this.global = initial;
    this.evaluator = evaluatorFactory == null ? null : new LazyResource<>(evaluatorFactory);
    this.listener = listener;
    this.blocking =
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("flock.blocking-dispatcher"));
    this.outcomeAdapter = ctx.messageAdapter(RoundManager.Outcome.class, RoundFinished::new);
    this.federatedAdapter = ctx.messageAdapter(FederatedEvaluator.Result.class, FederatedEvaluated::new);
    ActorRef<Receptionist.Listing> listingAdapter =
        ctx.messageAdapter(Receptionist.Listing.class, ListingUpdated::new);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(TrainingNode.SERVICE_KEY, listingAdapter));
    timers.startSingleTimer(StartTimeout.INSTANCE, settings.startTimeout());
    Checkpoint resume = persistence == null ? null : persistence.resume();
    if (resume != null) {
      global = resume.global();
      round = resume.round();
      completedRounds = resume.completedRounds();
      consecutiveFailures = resume.consecutiveFailures();
      lastLoss = resume.lastLoss();
      lastAccuracy = resume.lastAccuracy();
      history.addAll(resume.reports());
      ctx.getLog().info("resuming after round {} ({} completed) from the checkpoint", round, completedRounds);
    }
  }

  /** The run's state now, for the checkpoint store. */
  private Checkpoint checkpoint(String finished) {
    PrivacyState privacy = planner.privacyState();
    return new Checkpoint(persistence.runArgs(), round, completedRounds, consecutiveFailures, lastLoss,
        lastAccuracy, global, planner.optimizerState(), privacy == null ? null : privacy.accountant(),
        privacy == null ? null : privacy.clipping(), history, finished,
        settings.allowlist() == null ? null : settings.allowlist().entries());
  }

  private boolean resumed() {
    return persistence != null && persistence.resume() != null;
  }

  private Behavior<Command> waiting() {
    return Behaviors.receive(Command.class)
        .onMessage(ListingUpdated.class, l -> {
          onListing(l);
          return roster.nodes().size() >= settings.awaitNodes() ? begin() : Behaviors.same();
        })
        .onMessage(NodeIdentified.class, i -> {
          roster.identified(i.identified());
          return roster.nodes().size() >= settings.awaitNodes() ? begin() : Behaviors.same();
        })
        .onMessage(ChallengeRetry.class, t -> retryChallenges())
        .onMessage(StartTimeout.class, t -> {
          ctx.getLog().warn("start timeout: {} of {} nodes registered, starting anyway",
              roster.nodes().size(), settings.awaitNodes());
          return begin();
        })
        .onMessage(GetGlobalModel.class, this::onGetGlobalModel)
        .onSignal(PostStop.class, s -> closeEvaluator())
        .build();
  }

  private Behavior<Command> begin() {
    timers.cancel(StartTimeout.INSTANCE);
    if (resumed()) {
      String stop = persistence.resume().finished() != null ? persistence.resume().finished() : stopReason();
      if (stop != null) {
        return finish(stop);
      }
      return startRoundOrFinish();
    }
    if (persistence != null) {
      // Round 0: the run's options and initial model reach the standbys before any round runs.
      persistence.store().tell(new CheckpointStore.Save(checkpoint(null), savedAdapter));
    }
    if (evaluator != null) {
      evaluate(null);
      return running();
    }
    return startRoundOrFinish();
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(ListingUpdated.class, l -> {
          onListing(l);
          return Behaviors.same();
        })
        .onMessage(StartTimeout.class, t -> Behaviors.same())
        .onMessage(ChallengeRetry.class, t -> retryChallenges())
        .onMessage(RoundFinished.class, this::onRoundFinished)
        .onMessage(RoundManagerStopped.class, this::onRoundManagerStopped)
        .onMessage(FederatedEvaluated.class, this::onFederatedEvaluated)
        .onMessage(Evaluated.class, this::onEvaluated)
        .onMessage(GetGlobalModel.class, this::onGetGlobalModel)
        .onMessage(CheckpointSaved.class, this::onSavedOutOfBand)
        .onMessage(NodeIdentified.class, i -> {
          roster.identified(i.identified());
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> closeEvaluator())
        .build();
  }

  private Behavior<Command> onSavedOutOfBand(CheckpointSaved s) {
    logSaved(s.saved());
    return Behaviors.same();
  }

  private void logSaved(CheckpointStore.Saved saved) {
    if (saved.error() != null) {
      ctx.getLog().error("round {}: the checkpoint could not be written ({}); the previous one is kept",
          saved.round(), saved.error());
    } else if (!saved.missing().isEmpty()) {
      ctx.getLog().warn("round {}: checkpoint written, {} replica(s); not acknowledged by {}", saved.round(),
          saved.replicas(), saved.missing());
    } else {
      ctx.getLog().info("round {}: checkpoint written, {} replica(s)", saved.round(), saved.replicas());
    }
  }

  /**
   * Waits for the checkpoint of {@code savedRound}, then goes on with {@code then} (which reports
   * and moves on). A store that never answers (it died) holds the run up for at most
   * {@code flock.checkpoint.save-timeout}, after which the run goes on with the error logged.
   */
  private Behavior<Command> saving(long savedRound, java.util.function.Supplier<Behavior<Command>> then) {
    timers.startSingleTimer(SaveTimedOut.INSTANCE, saveTimeout);
    return Behaviors.receive(Command.class)
        .onMessage(ListingUpdated.class, l -> {
          onListing(l);
          return Behaviors.same();
        })
        .onMessage(GetGlobalModel.class, this::onGetGlobalModel)
        .onMessage(NodeIdentified.class, i -> {
          roster.identified(i.identified());
          return Behaviors.same();
        })
        .onMessage(CheckpointSaved.class, s -> {
          logSaved(s.saved());
          if (s.saved().round() != savedRound) {
            return Behaviors.same();
          }
          timers.cancel(SaveTimedOut.INSTANCE);
          return then.get();
        })
        .onMessage(SaveTimedOut.class, t -> {
          ctx.getLog().error("round {}: the checkpoint store did not answer within {}; going on without the"
              + " checkpoint of this round", savedRound, saveTimeout);
          return then.get();
        })
        .onAnyMessage(m -> Behaviors.same())
        .onSignal(PostStop.class, s -> closeEvaluator())
        .build();
  }

  private void onListing(ListingUpdated l) {
    roster.listed(new ArrayList<>(l.listing().getServiceInstances(TrainingNode.SERVICE_KEY)));
  }

  /** Unanswered admission challenges go out again, once per {@link #CHALLENGE_RETRY}. */
  private Behavior<Command> retryChallenges() {
    roster.retryChallenges();
    return Behaviors.same();
  }

  private Behavior<Command> onGetGlobalModel(GetGlobalModel get) {
    get.replyTo().tell(new GlobalModel(completedRounds, global));
    return Behaviors.same();
  }

  private void startRound() {
    round++;
    RoundPlanner.Plan plan = planner.plan(roster.nodes().size());
    RoundSettings roundSettings = plan.settings();
    if (roundSettings.secureAggregation() != null && roster.admits()) {
      // Under an allowlist, secure aggregation verifies the nodes' signatures with the keys that
      // admission verified, never with keys from the run's options.
      roundSettings = roundSettings.withSecureAggregation(
          roundSettings.secureAggregation().withIdentityKeys(roster.identityKeys()));
    }
    roundManager =
        ctx.spawn(
            RoundManager.create(round, global, roundSettings, settings.seed(), roster.nodes(),
                plan.aggregatorFactory(), outcomeAdapter),
            "round-" + round);
    // A round manager never stops by itself: if it stops before its outcome, it crashed.
    ctx.watchWith(roundManager, new RoundManagerStopped(round));
  }

  private Behavior<Command> onRoundManagerStopped(RoundManagerStopped stopped) {
    if (roundManager == null || stopped.round() != round) {
      return Behaviors.same();
    }
    roundManager = null;
    ctx.getLog().error("round {}: the round manager crashed before it reported; counting a failed round", round);
    RoundStats none = new RoundStats(roster.nodes().size(), 0, 0, 0, Double.NaN, List.of(), 0);
    consecutiveFailures++;
    return report(new RoundManager.RoundFailed(round, "the round manager crashed (see the log)", none),
        lastLoss, lastAccuracy, 0, null);
  }

  private Behavior<Command> onRoundFinished(RoundFinished msg) {
    if (roundManager != null) {
      ctx.unwatch(roundManager);
      ctx.stop(roundManager);
      roundManager = null;
    }
    RoundManager.Outcome outcome = msg.outcome();
    if (outcome instanceof RoundManager.RoundCompleted done) {
      try {
        global = planner.apply(global, done.combinedUpdate(), done.stats());
      } catch (IllegalArgumentException e) {
        consecutiveFailures++;
        ctx.getLog().warn("round {}: {}; the global model is kept", round, e.getMessage());
        return report(new RoundManager.RoundFailed(done.round(), e.getMessage() + "; the global model is kept",
            done.stats()), lastLoss, lastAccuracy, 0, null);
      }
      completedRounds++;
      consecutiveFailures = 0;
      if (evaluator != null) {
        evaluate(outcome);
      }
      if (settings.federatedEvaluation()) {
        federated = ctx.spawn(FederatedEvaluator.create(round, global, planner.newEvaluationAggregator(), roster.nodes(),
            settings.round().sampleSize(Math.max(1, roster.nodes().size())), settings.seed() ^ (round << 20),
            settings.round().deadline(), federatedAdapter), "evaluation-" + round);
        // Never stops by itself: a stop before its result is a crash, counted as no answers.
        ctx.watchWith(federated, new FederatedEvaluated(new FederatedEvaluator.Result(round, null, 0)));
      }
      pending = new PendingEvaluation(outcome, evaluator != null, settings.federatedEvaluation());
      return maybeReport();
    }
    consecutiveFailures++;
    return report(outcome, lastLoss, lastAccuracy, 0, null);
  }

  private void evaluate(RoundManager.Outcome outcome) {
    ModelWeights model = global;
    long start = System.nanoTime();
    evaluating = CompletableFuture.supplyAsync(() -> evaluator.get().evaluate(model), blocking);
    ctx.pipeToSelf(evaluating,
        (result, failure) -> new Evaluated(outcome, result, failure, (System.nanoTime() - start) / 1_000_000));
  }

  private Behavior<Command> onEvaluated(Evaluated e) {
    evaluating = null;
    double loss = Double.NaN;
    double accuracy = Double.NaN;
    if (e.failure() != null) {
      ctx.getLog().error("evaluation of the global model failed", e.failure());
    } else {
      loss = e.result().loss();
      accuracy = e.result().accuracy();
    }
    if (e.outcome() == null) { // the initial model: the baseline for the first improvement
      lastLoss = loss;
      lastAccuracy = accuracy;
      return startRoundOrFinish();
    }
    pending.central(loss, accuracy, e.millis());
    return maybeReport();
  }

  private Behavior<Command> onFederatedEvaluated(FederatedEvaluated f) {
    if (federated != null) {
      ctx.unwatch(federated);
      ctx.stop(federated);
      federated = null;
    }
    if (pending != null && f.result().round() == round) {
      pending.federated(f.result().evaluation());
      return maybeReport();
    }
    return Behaviors.same();
  }

  /** Reports the completed round once every evaluation it waits for is in. */
  private Behavior<Command> maybeReport() {
    if (!pending.ready()) {
      return Behaviors.same();
    }
    PendingEvaluation p = pending;
    pending = null;
    double loss = p.centralLoss();
    double accuracy = p.centralAccuracy();
    if (!p.hasCentral()) { // no held-out data at the coordinator: federated, else training loss
      loss = p.federatedEvaluation() != null ? p.federatedEvaluation().loss() : p.outcome().stats().meanTrainLoss();
      accuracy = p.federatedEvaluation() != null ? p.federatedEvaluation().accuracy() : Double.NaN;
    }
    return report(p.outcome(), loss, accuracy, p.evalMillis(), p.federatedEvaluation());
  }

  private Behavior<Command> report(RoundManager.Outcome outcome, double loss, double accuracy, long evalMillis,
      FederatedEvaluation fed) {
    RoundStats s = outcome.stats();
    boolean completed = outcome instanceof RoundManager.RoundCompleted;
    double improvement = (lastLoss > 0 && Double.isFinite(loss)) ? (lastLoss - loss) / lastLoss * 100 : Double.NaN;
    if (!completed) {
      improvement = 0;
    }
    RoundReport r = new RoundReport(
        outcome.round(), settings.rounds(), completedRounds, completed,
        outcome instanceof RoundManager.RoundFailed f ? f.reason() : null,
        loss, settings.targetLoss(), improvement, accuracy, s.meanTrainLoss(),
        s.available(), s.sampled(), s.participants(), s.samplesProcessed(), s.dropouts(),
        s.durationMillis(), evalMillis, planner.epsilon(),
        fed == null ? Double.NaN : fed.loss(), fed == null ? Double.NaN : fed.accuracy(),
        fed == null ? 0 : fed.nodes());
    lastLoss = loss;
    lastAccuracy = accuracy;
    String stop = stopReason();
    if (persistence == null) {
      listener.tell(r);
      return stop == null ? startRoundOrFinish() : finish(stop);
    }
    history.add(r);
    persistence.store().tell(new CheckpointStore.Save(checkpoint(null), savedAdapter));
    return saving(r.round(), () -> {
      listener.tell(r);
      return stop == null ? startRoundOrFinish() : finish(stop);
    });
  }

  /** Starts the next round unless the privacy budget vetoes it. */
  private Behavior<Command> startRoundOrFinish() {
    String veto = planner.vetoNextRound(roster.nodes().size());
    if (veto != null) {
      return finish(veto);
    }
    startRound();
    return running();
  }

  private Behavior<Command> finish(String reason) {
    boolean aborted = consecutiveFailures >= settings.maxConsecutiveFailures();
    TrainingFinished done = new TrainingFinished(reason, aborted, round, completedRounds, global, lastLoss,
        lastAccuracy, planner.epsilon());
    if (persistence == null) {
      listener.tell(done);
      return finished();
    }
    // The end is checkpointed before it is announced: whoever hosts the coordinator next finds the
    // run finished instead of running it on.
    persistence.store().tell(new CheckpointStore.Save(checkpoint(reason), savedAdapter));
    return saving(round, () -> {
      listener.tell(done);
      return finished();
    });
  }

  private String stopReason() {
    if (consecutiveFailures >= settings.maxConsecutiveFailures()) {
      return "aborted: " + consecutiveFailures + " round(s) in a row failed to reach quorum";
    }
    if (settings.targetAccuracy() > 0 && lastAccuracy >= settings.targetAccuracy()) {
      return String.format("target accuracy %.2f%% reached after %d rounds", settings.targetAccuracy() * 100, round);
    }
    if (settings.targetLoss() > 0 && lastLoss <= settings.targetLoss()) {
      return String.format("target loss %.4f reached after %d rounds", settings.targetLoss(), round);
    }
    if (round >= settings.rounds()) {
      return "all " + settings.rounds() + " rounds done";
    }
    return null;
  }

  private Behavior<Command> finished() {
    return Behaviors.receive(Command.class)
        .onMessage(GetGlobalModel.class, this::onGetGlobalModel)
        .onMessage(CheckpointSaved.class, this::onSavedOutOfBand)
        .onMessage(ChallengeRetry.class, t -> Behaviors.same())
        .onMessage(NodeIdentified.class, i -> Behaviors.same())
        .onSignal(PostStop.class, s -> closeEvaluator())
        .build();
  }

  private Behavior<Command> closeEvaluator() {
    if (evaluator != null) {
      evaluator.closeAfter(evaluating);
    }
    return Behaviors.same();
  }
}
