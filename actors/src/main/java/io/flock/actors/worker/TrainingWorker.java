package io.flock.actors.worker;

import io.flock.actors.protocol.LocalOnly;
import io.flock.actors.support.LazyResource;
import io.flock.models.data.NodeData;
import io.flock.models.training.EvalResult;
import io.flock.models.training.LocalUpdate;
import io.flock.models.training.TrainConfig;
import io.flock.models.training.TrainingEngine;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * Owns one device lane (a GPU or the CPU) and runs local training tasks on it, one at a time, on
 * the blocking dispatcher {@code flock.blocking-dispatcher}; results return with {@code
 * pipeToSelf}. Tasks that arrive while one runs are stashed.
 *
 * <p>A failed task is reported to its requester as {@link TrainFailed}. When its input was at fault
 * (an {@link ArithmeticException} from a diverging loss, an {@link IllegalArgumentException} from
 * weights or data that do not fit) the worker simply goes on. Otherwise the worker throws
 * {@link TrainingFailedException} so that supervision ({@link #supervised}) restarts it with a
 * fresh engine. Stashed tasks are re-sent to itself first: the mailbox survives the restart, so
 * no queued work is lost.
 */
public final class TrainingWorker {

  /** Messages a training worker handles. */
  public interface Command {}

  /**
   * Train {@code global} on a node's local data. Sent by a {@code TrainingNode} of the same JVM.
   *
   * @param taskId the requester's id for this task, echoed in the reply
   * @param seed seed of the local data shuffling
   */
  public record Train(
      String taskId,
      ModelWeights global,
      TrainConfig config,
      NodeData data,
      long seed,
      ActorRef<Result> replyTo)
      implements Task {}

  /**
   * Evaluate {@code global} on a node's held-out data (federated evaluation; inference only).
   * Sent by a {@code TrainingNode} of the same JVM.
   */
  public record Evaluate(String taskId, ModelWeights global, NodeData data, ActorRef<Result> replyTo)
      implements Task {}

  /** A unit of work for the device lane. */
  public sealed interface Task extends Command, LocalOnly permits Train, Evaluate {
    String taskId();

    ActorRef<Result> replyTo();
  }

  /** Reply to a {@link Task}. */
  public sealed interface Result extends LocalOnly permits TrainSucceeded, Evaluated, TrainFailed {
    String taskId();
  }

  /** The task finished; {@code update} holds the locally trained weights. */
  public record TrainSucceeded(String taskId, LocalUpdate update) implements Result {}

  /** The evaluation finished. */
  public record Evaluated(String taskId, EvalResult result) implements Result {}

  /** The task failed; {@code reason} says why. */
  public record TrainFailed(String taskId, String reason) implements Result {}

  private record Finished(Task task, Result reply, Throwable failure) implements Command, LocalOnly {}

  /**
   * Tasks waiting behind the running one. A JVM's nodes all queue here (hundreds in a simulation,
   * thousands with a high sampling rate); the stash is a linked list, so the bound costs nothing up
   * front. A task beyond it is refused with a reason, never silently lost.
   */
  static final int STASH_CAPACITY = 1_000_000;

  /** A worker wrapped in restart-with-backoff supervision, as it should be spawned. */
  public static Behavior<Command> supervised(
      Supplier<TrainingEngine> engineFactory, Duration minBackoff, Duration maxBackoff) {
    return Behaviors.supervise(create(engineFactory))
        .onFailure(
            TrainingFailedException.class,
            // The worker logs the failed task itself, in one line; no stack trace per restart.
            SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, 0.2).withLoggingEnabled(false));
  }

  /** An unsupervised worker; the engine is created lazily on the blocking dispatcher. */
  public static Behavior<Command> create(Supplier<TrainingEngine> engineFactory) {
    return Behaviors.withStash(
        STASH_CAPACITY, stash -> Behaviors.setup(ctx -> new TrainingWorker(ctx, stash, engineFactory).idle()));
  }

  private final ActorContext<Command> ctx;
  private final StashBuffer<Command> stash;
  private final Executor blocking;
  private final LazyResource<TrainingEngine> engine;
  private CompletableFuture<Result> running;

  private TrainingWorker(
      ActorContext<Command> ctx, StashBuffer<Command> stash, Supplier<TrainingEngine> engineFactory) {
    this.ctx = ctx;
    this.stash = stash;
    this.engine = new LazyResource<>(engineFactory);
    this.blocking =
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("flock.blocking-dispatcher"));
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(Task.class, this::start)
        .onSignal(PostStop.class, s -> closeEngine())
        .onSignal(PreRestart.class, s -> closeEngine())
        .build();
  }

  private Behavior<Command> busy() {
    return Behaviors.receive(Command.class)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(Task.class, t -> {
          if (stash.isFull()) {
            t.replyTo().tell(new TrainFailed(t.taskId(),
                "the worker's queue is full (" + STASH_CAPACITY + " tasks): too many tasks for one device lane"));
          } else {
            stash.stash(t);
          }
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> closeEngine())
        .onSignal(PreRestart.class, s -> closeEngine())
        .build();
  }

  private Behavior<Command> start(Task task) {
    running = CompletableFuture.supplyAsync(() -> run(task), blocking);
    ctx.pipeToSelf(running, (reply, failure) -> new Finished(task, reply, failure));
    return busy();
  }

  /** Runs on the blocking dispatcher. */
  private Result run(Task task) {
    if (task instanceof Train t) {
      return new TrainSucceeded(t.taskId(), engine.get().train(t.global(), t.config(), t.data(), t.seed()));
    }
    Evaluate e = (Evaluate) task;
    return new Evaluated(e.taskId(), engine.get().evaluate(e.global(), e.data()));
  }

  private Behavior<Command> onFinished(Finished done) {
    running = null;
    Task task = done.task();
    if (done.failure() == null) {
      task.replyTo().tell(done.reply());
      return stash.unstashAll(idle());
    }
    Throwable cause =
        done.failure() instanceof java.util.concurrent.CompletionException && done.failure().getCause() != null
            ? done.failure().getCause()
            : done.failure();
    String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    task.replyTo().tell(new TrainFailed(task.taskId(), reason));
    if (cause instanceof ArithmeticException || cause instanceof IllegalArgumentException) {
      // The task's input was at fault (diverging loss, weights or data that do not fit), not the
      // device lane: report it and go on without a restart.
      ctx.getLog().warn("training task {} failed: {}", task.taskId(), reason);
      return stash.unstashAll(idle());
    }
    ctx.getLog().warn("training task {} failed, restarting worker: {}", task.taskId(), reason);
    stash.forEach(m -> ctx.getSelf().tell(m));
    throw new TrainingFailedException("task " + task.taskId() + " failed: " + reason, cause);
  }

  private Behavior<Command> closeEngine() {
    engine.closeAfter(running);
    return Behaviors.same();
  }
}
