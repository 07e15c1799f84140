package io.flock.actors.round;

import io.flock.actors.protocol.CborSerializable;
import io.flock.models.aggregation.StreamingFedAvg;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Child of a {@link RoundManager}: folds validated updates into a sample-weighted mean as they
 * arrive ({@link StreamingFedAvg}, O(model) memory whatever the number of nodes), and hands the
 * mean out once the round closes. It never stops by itself: its parent watches it, so a stop is
 * always a failure, and the parent stops it after the round.
 */
public final class Aggregator {

  /** Messages an aggregator handles. */
  public interface Command {}

  /** Fold one validated update with weight {@code numSamples}. Sent by the RoundManager. */
  public record Fold(String nodeId, ModelWeights update, int numSamples)
      implements Command, CborSerializable {}

  /** Close the fold and reply with the mean. Sent by the RoundManager. */
  public record Finish(ActorRef<Aggregated> replyTo) implements Command, CborSerializable {}

  /**
   * Reply to {@link Finish}.
   *
   * @param meanUpdate the weighted mean of the folded updates
   * @param updates number of updates folded
   * @param totalSamples sum of their sample counts
   */
  public record Aggregated(ModelWeights meanUpdate, int updates, long totalSamples)
      implements CborSerializable {}

  private Aggregator() {}

  /** An aggregator for updates of {@code layout}. */
  public static Behavior<Command> create(ModelLayout layout) {
    return Behaviors.setup(
        ctx -> {
          StreamingFedAvg fold = new StreamingFedAvg(layout);
          return Behaviors.receive(Command.class)
              .onMessage(
                  Fold.class,
                  f -> {
                    fold.add(f.nodeId(), f.update(), f.numSamples());
                    return Behaviors.same();
                  })
              .onMessage(
                  Finish.class,
                  f -> {
                    f.replyTo().tell(new Aggregated(fold.result(), fold.count(), fold.totalSamples()));
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
